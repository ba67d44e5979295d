"""The network rig: an agent's home behind NAT, an emulated internet link and a center, in network namespaces
(rig.py; docs/testing.md, "The network rig")."""

from tests.infra.netrig.rig import AGENT_IP, BACKUP_IP, PEER_IPS, PRIMARY_IP, PUBLIC_IPS, Rig

__all__ = ["AGENT_IP", "BACKUP_IP", "PEER_IPS", "PRIMARY_IP", "PUBLIC_IPS", "Rig"]

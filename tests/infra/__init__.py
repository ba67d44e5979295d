"""Real test infrastructure: Kamailio, SIPp, baresip and a PulseAudio virtual headset, on loopback only."""

"""visqol-python (the echo test's listening-quality score) reads its models from ``visqol/model/`` beside its
modules: collect them. Its optional deep-lattice runtime (ai_edge_litert) is not a dependency of ours and is
excluded in agentdesk.spec; the checks use the SVR model."""

from PyInstaller.utils.hooks import collect_data_files

datas = collect_data_files("visqol", includes=["model/*.txt", "model/*.tflite"])

"""Torch networks run by ONNX Runtime: exported once per process from the loaded weights, in memory.

The diarizer's two LSTM networks run 15-25 % faster in ONNX Runtime than in torch on a 2-core CPU, with
the same outputs to 1e-4 (docs/BENCHMARKS.md, "Speaker diarization"). Torch still loads the weights and
traces the network; nothing is written to disk and nothing is downloaded.
"""

from __future__ import annotations

import io
import warnings
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import onnxruntime
    import torch

__all__ = ["onnx_session"]

_OPSET = 17


def onnx_session(
    network: torch.nn.Module,
    example: torch.Tensor,
    *,
    dynamic_axes: dict[int, str],
    cpu_threads: int = 0,
) -> onnxruntime.InferenceSession:
    """An inference session for `network` with one input ("input") and one output ("output").

    `dynamic_axes` names the input's axes that may differ from `example`'s (the output's first axis follows
    the input's batch). `cpu_threads` 0 is ONNX Runtime's default (one per core). Threads do not spin while
    they wait, so the session leaves the CPU to a recogniser running beside it.
    """
    import onnxruntime
    import torch

    exported = io.BytesIO()
    with warnings.catch_warnings(), torch.inference_mode(False):
        warnings.simplefilter("ignore")  # tracing warns about LSTM batch sizes; the axes are declared
        torch.onnx.export(
            network,
            (example,),
            exported,
            dynamo=False,
            input_names=["input"],
            output_names=["output"],
            dynamic_axes={"input": dynamic_axes, "output": {0: dynamic_axes[0]}},
            opset_version=_OPSET,
        )
    options = onnxruntime.SessionOptions()
    options.intra_op_num_threads = max(0, cpu_threads)
    options.inter_op_num_threads = 1
    options.add_session_config_entry("session.intra_op.allow_spinning", "0")
    return onnxruntime.InferenceSession(exported.getvalue(), options, providers=["CPUExecutionProvider"])

"""LayerLab's Python client: report a training run to a LayerLab server (standard library only; torch for
layer norms). See docs/python.md.

    import layerlab
    run = layerlab.init()                 # from the environment a LayerLab server sets, or url=…, token=…
    run.log({"train/loss": 1.23}, step=1)
    run.layer_norms(model, step=1, every=10)
    run.finish({"final/eval_loss": 0.9})
"""
from .callback import LayerLabCallback
from .run import Run, init
from .transport import LayerLabError

__all__ = ["init", "Run", "LayerLabCallback", "LayerLabError"]
__version__ = "0.1.0"

__version__ = "0.1.0"

import warnings as _warnings
# fastai decorates a few layers with torch.jit.script at import, which torch now deprecates: nothing for a user to do
_warnings.filterwarnings('ignore', message='`torch.jit.script` is deprecated', category=FutureWarning)

"""sa_lib: the shared analysis library of the sa-workbench.

Every theme notebook is a thin layer over these modules. Public functions take a
(Geo)DataFrame and return a new one with documented, stable column names; they
never change their input and validate it on entry (see :mod:`sa_lib.validation`).
"""

__version__ = "0.1.0"

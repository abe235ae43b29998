"""Planned observations: pure rules, no database and no HTTP.

:mod:`.workflow` says which preparation-workflow transitions are legal, who may make
them, and how a workflow state reads as an ObsLocTAP 1.0 ``execution_status``;
:mod:`.matching` finds, and explains, the executed OB that carried out a planned one.
Keeping them pure lets the routes, the harvesters and the tests share one definition
of the rules instead of re-deriving them next to each query.
"""

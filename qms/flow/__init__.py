"""``qms flow report``: where dossiers lose time, and which dossiers did not follow the procedure.

Hand-over logs (one row per hand-over or per step of a dossier) are read by the one dossier-log reader
(:mod:`qms.store.dossier_logs`, with :data:`qms.models.log_columns.FLOW_LOG`), matched to the steps of
the process map, timed in working hours on the repository calendar (:mod:`qms.flow.clock`), checked
against the map (:mod:`qms.flow.procmap`) and summed per step, agency and procedure
(:mod:`qms.flow.analyse`). See docs/flow.md.
"""

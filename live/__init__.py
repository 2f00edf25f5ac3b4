"""Delivery of live updates to viewers: GraphQL over WebSocket, cohorts, frames.

``subscriptions/`` decides *what* a viewer sees (channels, the per-process hub, snapshots
read from the database); this package decides *how* it reaches them: the WebSocket
handlers (``websocket``), snapshot subscriptions run once per cohort of identical requests
(``cohorts``), eager sends (``eager``), whole frames built once (``frames``) and written
straight to the transport when the server offers it (``protocol``).
"""

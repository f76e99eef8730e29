"""Alert delivery: messages composed from change events and the channels that send them.

Pure of storage: a channel gets a ``vahti.messages.Outgoing`` and sends it; the outbox
(``storage.outbox``) and the delivery round (``vahti.app.delivery``) live elsewhere.
"""

# The outbox: messages that must reach someone (a case number, a new pair, job alerts).

ob-forget-item = messages kept for delivery to you (those not sent yet will not be sent)

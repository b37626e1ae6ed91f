# Sealed records (issue #11): new messages of the sealing branch.
error-no-organisation-key = This device does not have your organisation's key yet, so nothing was sent: the changes wait here and never leave readable. It receives the key once someone of your organisation whose device has it compares the fingerprint this screen shows and approves the hand-over (or the administrator does).
error-organisation-key-mismatch = The key the server gave this device is not your organisation's. It was not kept and nothing was sent: tell the administrator.
error-bad-recipient-key = A key that data had to be sealed to is not valid. Nothing was sent: the changes are still pending. Tell the administrator.
error-unsealed-field = The server refused a change that carried a field without sealing it. Nothing was stored: update Senda on this device.
outbox-waiting-key = Waiting for the organisation's key to leave sealed

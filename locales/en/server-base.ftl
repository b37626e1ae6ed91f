# Sync transport refusals (server-base). Nothing is lost in any of them.
error-insecure-server-url = This address is not secure: use one that starts with https:// (http:// is only for a server on this same computer). Nothing was sent.
error-redirected = The server tried to send the data to another address, and Senda did not follow it. Nothing more was sent; the records are still waiting.
error-answer-too-large = The server's answer was too large and was not read. Nothing was lost: the records are still waiting.
error-unsigned-answer = The answer was not signed by the server this device enrolled with. Nothing was marked as sent and nothing was wiped; the records are still waiting.
error-no-server-key = This device does not have the server's signing key. Enrol it again with a new code; nothing was lost.

# keytrust: keys the server cannot forge, and key hand-over approved by a person.
error-organisation-not-pinned = This device was enrolled without the fingerprint of your organisation's key, so it cannot trust any key. Nothing left: ask your administrator for a code with a fingerprint and enrol it again.
error-admin-key-mismatch = The key the server gives does not match the fingerprint in the enrolment code. The device was not enrolled: tell your administrator.
error-organisation-key-unverified = Your organisation's key has no valid signature from its administrator. Nothing was sealed or sent: the changes wait on the device.
error-receiver-key-unverified = The key of whoever receives referrals for { $service } changed and could not be verified. Nothing was sent to that key: the changes wait on the device. Tell your administrator.
error-awaiting-organisation-key = This device is waiting for someone from your organisation to hand it the key. Show them this fingerprint: { $fingerprint }. The changes wait on the device.
error-key-grant-mismatch = The key that arrived for this device is not the one your organisation signed. It was not kept: ask your administrator to hand it over again.
error-weak-key = The key received is weak (low order): anyone could read what is sealed to it. It was not used and nothing was sent.
error-sender-unverified = This summary does not come from a device approved by a trusted organisation. It was not opened.
error-hand-over-fingerprint-mismatch = The fingerprint no longer matches the device you checked. The key was not handed over.
error-hand-over-not-waiting = That device is no longer waiting for the key. Nothing was handed over.
keytrust-heading = Hand over the organisation's key
keytrust-intro = These devices of your organisation are waiting for the key that opens cases. Hand it over only if the device is in front of you and shows the same fingerprint.
keytrust-none = No device is waiting for the key.
keytrust-device = { $name }
keytrust-fingerprint = Fingerprint: { $fingerprint }
keytrust-check = Look at the other device's screen: it must say "Waiting for the key: { $fingerprint }".
keytrust-approve = It matches: hand over the key
keytrust-refuse = It does not match: refuse
keytrust-approved = Key handed over to { $name }.
keytrust-refused = Refused: { $name } does not get the key.
keytrust-waiting = Waiting for the key: { $fingerprint }
keytrust-waiting-help = Show this fingerprint to someone from your organisation whose device already has the key. Until then, nothing leaves this device.
keytrust-pending = { $count ->
    [one] One device is waiting for the key.
   *[other] { $count } devices are waiting for the key.
}
keytrust-open = Review
incoming-summary-sender-unverified = The summary does not come from an approved device: it was not opened.
keytrust-refused-keys = { $count ->
    [one] The server offered a key that could not be verified. Nothing was sealed to it. Tell your administrator.
   *[other] The server offered { $count } keys that could not be verified. Nothing was sealed to them. Tell your administrator.
}

## Senda's web console (senda-server, /console/). English.

console-title = Senda console
console-language = Language
console-nav = Console sections
console-nav-organisations = Organisations
console-nav-accounts = Administrator accounts
console-nav-content = Content
console-nav-stats = Statistics
console-nav-audit = Audit log
console-nav-overview = Overview
console-nav-staff = Staff and codes
console-nav-devices = Devices
console-nav-routes = Service routes
console-nav-keys = Keys
console-nav-referrals = Referrals
console-logout = Log out
console-back-home = Back to the console
console-refused-heading = This could not be done
console-save = Save
console-create = Create
console-search = Search
console-show = Show
console-none = None.
console-all = All
console-actions = Actions
console-name = Name
console-team = Team
console-state = State
console-active = Active
console-deactivated = Deactivated
console-deactivate = Deactivate
console-organisation = Organisation
console-count = Count
console-total = Total
console-status = Status
console-service = Service
console-receiver = Receiving organisation
console-code = Code
console-since = Since
console-never = Never
console-staff = Person
console-device = Device

## Logging in

console-login-heading = Log in to the console
console-login-intro = For Senda administrators. The console never shows a child's data.
console-login-name = Login
console-login-name-hint = 3 to 40 lower-case letters, digits, dot, hyphen or underscore.
console-password = Password
console-login-submit = Log in
console-password-heading = Choose your password
console-password-intro = The one-time password no longer works. Choose a new one of at least { $min } characters; a long phrase is easier to remember.
console-password-new = New password
console-password-repeat = Repeat the new password
console-totp-heading = Second factor
console-totp-intro = Type the six-digit code your authenticator app shows.
console-totp-setup-intro = Server administrator accounts need a second factor. Scan this QR code with an authenticator app (for example FreeOTP or Aegis) and type the code it shows.
console-totp-qr = QR code for the authenticator app
console-totp-secret = If you cannot scan, type this key:
console-totp-code = Six-digit code
console-totp-submit = Verify
console-totp-on = On
console-totp-off = Off
console-totp-enable = Turn on the second factor
console-account-heading = My account
console-role = Role
console-role-server = Server administrator (every organisation)
console-role-organisation = Organisation administrator

## Server

console-organisations-caption = Organisations on this server
console-organisation-new = New organisation
console-key = Organisation key
console-key-set = Key registered
console-key-missing = No key yet
console-accounts-caption = Accounts that may log in to this console
console-account-new = New administrator account
console-account-created = Account created
console-one-time-password = One-time password
console-one-time-password-hint = Hand it over in person. It is shown only now and must be changed at first login.
console-audit-intro = Who did what, and when. Only ids and codes are kept here, never a child's data.
console-audit-caption = Administrator actions, newest first
console-when = When
console-who = Who
console-what = What
console-subject = About
console-content-intro = Tells every device, at its next sync, that a newer content pack version is out.
console-content-versions-unknown = No active device has reported which version it runs yet; each reports at the end of every sync.
console-content-publisher = Pack publisher
console-content-version = Version (whole number)
console-content-announce = Announce the version

## One organisation

console-devices-active = active devices
console-referrals-total = referrals
console-referrals-by-status = Referrals by status
console-referrals-by-receiver = Referrals by receiving organisation
console-staff-caption = The organisation's staff
console-staff-new = Add a person
console-staff-add = Add
console-deactivate-hint = Deactivating someone who left revokes all their devices: they wipe at their next contact.
console-code-make = Make an enrolment code
console-code-for = Make an enrolment code for
console-code-team = Enrolment code for a team
console-code-days = Valid for (days)
console-code-made = Enrolment code
console-code-expires = Works once and expires in { $days } days ({ $date } UTC).
console-code-qr = QR code with the server address and the enrolment code
console-code-once = Write it down or scan it now: the server keeps only a fingerprint of the code and cannot show it again.
console-devices-caption = The organisation's devices
console-last-sync = Last contact
console-held = On hold
console-key-granted = Has the key
console-key-waiting = Waiting for the key
console-revoked = Revoked
console-revoke = Revoke
console-revoke-hint = A revoked device wipes itself at its next contact with the server.
console-routes-intro = The server does not keep the content pack's directory. Here are the services already routed and those that received referrals with no receiving organisation; you can also type a directory service id.
console-routes-search = Search a service by its id
console-routes-unrouted = Services with no receiving organisation
console-routes-unrouted-hint = Referrals to these services travel only on paper slips.
console-routes-referrals = { $count ->
    [one] { $count } referral
   *[other] { $count } referrals
}
console-routes-routed = Services with a receiving organisation
console-route-new = Route a service to a receiving organisation
console-service-hint = The service's id in the directory, for example svc-legal-rumichaca.
console-route-submit = Route
console-keys-intro = The organisation's key seals every value that leaves its devices and the referral summaries. The server keeps only the public keys, signed by the admin key; the secrets never pass through this console.
console-key-fingerprint = Admin key fingerprint (the one devices pin when they enrol)
console-key-serial = Sealing key in use (number)
console-key-granted-count = Devices that received the key
console-key-waiting-count = Devices waiting for the key
console-keys-how = To make the keys: senda-server admin org-key ORGANISATION FILE on a trusted computer. To replace the sealing key: the same command with --rotate; what was sealed before still opens.
console-keys-waiting-how = No one gets the key without a person's approval: compare the fingerprint the new device shows and approve it on a device that already holds the key, or with senda-server admin grant-keys FILE FINGERPRINT.
console-referrals-intro = Unrounded counts for internal follow-up. To report outside the organisation, use Statistics.
console-no-receiver = No receiver on Senda
console-overdue-heading = Referrals not received or accepted for more than { $days } days
console-overdue-days = Days without progress
console-overdue-caption = Overdue referrals: code, service, date and status

## Referral statuses

console-status-draft = Draft
console-status-queued = Queued
console-status-sent = Sent
console-status-received = Received
console-status-accepted = Accepted
console-status-declined = Declined
console-status-first-contact = First contact
console-status-service-provided = Service provided
console-status-closed = Closed
console-status-withdrawn = Consent withdrawn
console-status-revoked = Cancelled

## Statistics

console-stats-intro = Numbers to report without exposing anyone: every count from 1 to { $max } shows as «<{ $k }», and another cell is hidden wherever a total would reveal it.
console-period = Period (month)
console-audience = For whom
console-audience-internal = Organisation staff («<5»)
console-audience-external = Outside the organisation («<11», rounded to 5)
console-stats-legend-small = «<{ $k }»: from 1 to { $max }.
console-stats-legend-complement = «*»: hidden so that a total cannot reveal a small number.
console-stats-legend-rounded = Shown numbers are rounded to the nearest multiple of 5.
console-stats-by-status = Referrals by status and receiving organisation
console-stats-chart-status = Referrals by status (hidden numbers have no bar)
console-stats-services = Services referred most
console-stats-referrals = Referrals
console-stats-csv = Download CSV (as shown)
console-stats-screenings = Screenings by risk level, country, week and age
console-stats-screenings-pending = These appear once devices send the screenings' coarse fields (country, ISO week, risk level, age band); a case's own data never reaches the server.

console-country = Country
console-risk = Risk level
console-week = ISO week
console-stats-by-risk = Screenings by risk level and age band
console-stats-by-week = Screenings by week and country
console-stats-referral-filters = The country filter applies to screenings; referrals are filtered by organisation and month (the month of their last change).
console-unknown = Unknown
console-risk-immediate = Immediate
console-risk-high = High
console-risk-medium = Medium
console-risk-insufficient = Not enough information
console-risk-low = Low
console-risk-unknown = Not determined

## Notices

console-done-organisation-created = Organisation created.
console-done-account-deactivated = Account deactivated; its sessions were closed.
console-done-content-announced = Version announced to every organisation.
console-done-staff-added = Person added.
console-done-staff-deactivated = Person deactivated; at their next sync each of their devices sends what is ready to send, then wipes.
console-done-device-revoked = Device revoked: it wipes at its next contact.
console-done-service-routed = Service routed.

## Audit log

console-action-login = Logged in
console-action-password-changed = Changed their password
console-action-totp-enabled = Turned on the second factor
console-action-organisation-created = Created an organisation
console-action-account-created = Created an administrator account
console-action-account-deactivated = Deactivated an administrator account
console-action-content-announced = Announced a content version
console-action-staff-added = Added a person
console-action-staff-deactivated = Deactivated a person
console-action-code-made = Made an enrolment code
console-action-device-revoked = Revoked a device
console-action-service-routed = Routed a service
console-action-stats-exported = Downloaded statistics

## Errors

console-error-login = Wrong login or password.
console-error-locked = Too many failed attempts. Wait 15 minutes and try again.
console-error-deactivated = This account was deactivated.
console-error-session = Your session ended or does not exist. Log in again.
console-error-csrf = The form expired or did not come from this console. Reload the page and try again.
console-error-forbidden = Your account may not see or change this.
console-error-not-found = It does not exist.
console-error-unavailable = The server could not store or read the data just now. Try again in a moment.
console-error-password-mismatch = The two passwords differ.
console-error-password-short = The password must have 12 to 200 characters.
console-error-password-login = The password may not contain your login.
console-error-password-wrong = Choose a password other than the one-time one.
console-error-totp = That code is wrong or was already used. Wait for the next code.
console-error-name = Type a name of 1 to 120 characters.
console-error-team = Type a team of 1 to 60 characters.
console-error-days = Choose 1 to 90 days.
console-error-login-name = The login must have 3 to 40 lower-case letters, digits, dot, hyphen or underscore.
console-error-login-taken = An account with that login exists.
console-error-organisation = That organisation does not exist.
console-error-service = The service id must have 1 to 100 lower-case letters, digits, dot, colon, hyphen or underscore.
console-error-route-taken = Another organisation already receives referrals to that service. Only a server administrator can change it.
console-error-no-organisation-key = The receiving organisation must register its key before it can receive referrals.
console-error-version = The version must be a whole number above zero.
console-error-publisher = Type the pack's publisher (1 to 80 characters).
console-error-filter = That filter is not one of the choices offered.
console-error-staff-deactivated = That person was deactivated: they can enrol no more devices.
console-error-no-such-device = There is no active device with that id.

## Session 6: settings sent to devices, what devices report, time to acceptance
console-devices-reported = Each device reports at the end of every sync its app and content versions, its pending and held operations, and its audit log's entry count and newest hash. A log with fewer entries than before is flagged: it may have been truncated.
console-versions = Versions
console-pending = Pending
console-audit-log = Audit log
console-app-version = App { $version }
console-content-version-n = Content v{ $version }
console-content-none = No content
console-audit-entries = { $count } entries
console-audit-dropped = Log shorter or rewritten ({ $at })
console-not-reported = Not reported yet (it reports when it syncs).
console-content-running = Versions on active devices
console-nav-settings = Settings
console-settings-intro = These settings reach the organisation's devices at their next sync.
console-settings-retention = Retention period
console-settings-retention-hint = How many days a case is kept after its last change, on the server and on the devices, when it has no open referral.
console-settings-retention-days = Days (1 to 365)
console-settings-retention-unset = Not set: the server keeps cases until consent is withdrawn, and each device uses its own period.
console-settings-pin = PIN policy
console-settings-pin-hint = It applies to every PIN set or changed on the devices from their next sync; current PINs stay valid. Minimum length { $floor } to { $ceiling }.
console-settings-pin-length = Minimum length
console-settings-pin-letters = Letters allowed (otherwise digits only)
console-settings-pin-unset = Not set: devices use the default policy.
console-done-retention-set = Retention period saved; it reaches the devices at their next sync.
console-done-pin-policy-set = PIN policy saved; it reaches the devices at their next sync.
console-action-retention-set = Set the retention period
console-action-pin-policy-set = Set the PIN policy
console-error-retention = The retention period must be a whole number of days, 1 to 365.
console-error-pin-length = The PIN's minimum length must be a whole number from 6 to 64.
console-error-pin-letters = Tick or untick «Letters allowed»; the value sent was not understood.
console-stats-acceptance = Time to acceptance
console-stats-acceptance-hint = Accepted referrals, by days between sending and acceptance, and by receiving organisation. Only those sent and accepted since the server records these dates count.
console-stats-acceptance-none = No accepted referral with recorded dates yet.
console-stats-days = Days to acceptance
console-accept-band-0-1 = 0 to 1 day
console-accept-band-2-7 = 2 to 7 days
console-accept-band-8-14 = 8 to 14 days
console-accept-band-15-30 = 15 to 30 days
console-accept-band-31-more = 31 days or more
console-held-here = { $count } more wait here for their base

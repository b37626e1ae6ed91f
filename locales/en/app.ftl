## Senda — English.

app-title = Senda
nav-home = Senda home
language-label = Language
language-name = English
working = One moment…
back = Back

## Start screen

start-heading = What do you need today?
start-public-door = Information and rights
start-public-door-hint = For children, adolescents and families on the move. No account. What you read and search here is not saved.
start-staff-door = Staff
start-staff-door-hint = For the humanitarian team. Opens with your PIN.

## Public side

public-heading = Information and rights
public-intro = Here are your rights, advice for the journey and where to get help. It works without internet.
public-no-content = There is nothing to read here yet. If you need help now, talk to someone from the team that is helping you.
public-never-your-fault = If someone hurt you, it is not your fault. You have the right to protection.

## Staff: create and open the vault

staff-create-heading = First use: create your profile
staff-create-intro = This device has no vault yet. Whoever creates it becomes the device owner and can add colleagues, each with their own PIN.
staff-create-privacy = Children's data is stored encrypted on this device and opens only with a staff PIN.
staff-name-label = Name
staff-pin-label = PIN
staff-pin-again-label = Repeat the PIN
staff-create-submit = Create the vault
staff-unlock-heading = Staff
staff-unlock-submit = Open
staff-auto-locked = The vault locked itself because it was not used for a while. Your data is saved.

## Staff: home

home-greeting = Hello, { $name }
home-lock = Lock
home-vault-note = The vault is open. It locks itself after { $minutes ->
        [one] 1 minute
       *[other] { $minutes } minutes
    } without use.
role-owner = Device owner
role-staff = Staff
change-pin-heading = Change my PIN
change-pin-current = Current PIN
change-pin-new = New PIN
change-pin-submit = Change PIN
change-pin-done = PIN changed. The data is unchanged.
staff-list-heading = Staff on this device
add-staff-heading = Add a team member
add-staff-submit = Add
add-staff-done = { $name } can now open the vault with their own PIN.
policy-heading = Device lock
policy-owner-only = Only the device owner can change these settings.
policy-auto-lock = Minutes without use before locking
policy-max-failed = Failed attempts before a long lockout
policy-wipe = Erase the vault when the attempts run out
policy-wipe-hint = Turn this on only if the device risks falling into the wrong hands: anything not yet synced is lost.
policy-save = Save
policy-saved = Settings saved.

## Errors

error-wrong-pin = Wrong PIN. { $attempts_left ->
        [one] 1 attempt left before lockout.
       *[other] { $attempts_left } attempts left before lockout.
    }
error-retry-later = Several attempts failed. Wait { $retry_after_secs } seconds and try again.
error-locked-out = Too many failed attempts: the device is locked. You can try again in { $minutes } minutes.
error-wiped = The attempts ran out and the vault was erased, as the device owner had chosen.
error-locked = The vault is locked. Enter your PIN to continue.
error-already-created = This device already has a vault.
error-not-created = This device does not have a vault yet.
error-pin-too-short = The PIN must have at least { $min } characters.
error-pin-mismatch = The two PINs do not match.
error-name-required = Enter a name.
error-vault-missing = The vault file cannot be found. Nothing was deleted: ask the technical team for help.
error-corrupted = The vault file is damaged. Nothing was deleted or changed: ask the technical team for help before going on.
error-schema-too-new = A newer version of Senda wrote this vault. Update the app: your data is intact.
error-disk-full = The device has no free space. The last change was not saved; free some space and try again.
error-not-permitted = Only the device owner can do this.
error-invalid-setting = That value is not allowed.
error-storage = Could not save. What was already saved is intact.
error-audit-tampered = The audit log was altered (entry { $seq }). Tell the person responsible: nothing was deleted.
error-invalid-field = Check this field: { $field }.
error-not-found = That record was not found. It may have been deleted at the end of its retention period.
error-invalid-answer = The answer to “{ $question }” is not valid for that question. Nothing from this section was saved.
error-answers-missing = Some answers are missing. “Don't know” and “Prefers not to say” are answers too.
error-screening-complete = This screening is complete and cannot be changed. Start a new one for this visit.
error-checklist-not-installed = This screening's checklist is no longer installed.
error-checklist-changed = This screening started with version { $was } of the checklist and version { $now } is now installed. Its answers are kept; start a new screening.
error-consent-required = Consent to share this has not been recorded. Nothing left the device.
error-consent-incomplete = The consent is not complete: { $missing ->
    [child-agreement] tick that the child agrees
    [explanation] tick each point that was explained
    [language] choose the language of the explanation
    [consenter-not-suspected] confirm that the person who also consented is not suspected of harming the child
   *[other] { $missing }
    }.
error-override-reason-required = Write why the law requires reporting without consent (at least 10 characters).
error-service-not-listed = The installed directory no longer lists this service. Choose another; the referral stays a draft.
error-bad-transition = A referral cannot go from “{ $from }” to “{ $to }”.
error-summary-not-reviewed = Review the summary with the child and tick that they agreed before sending it.
error-unexpected = Something went wrong. Please try again.

## Content

stage-before-leaving = Before leaving
stage-on-the-road = On the road
stage-on-arrival = On arrival
content-fallback-note = This text is not translated yet: it is shown in Spanish.
content-source = Source: { $source }.
content-installed-heading = Installed content
content-none-installed = No content pack is installed.
content-pack-line = Pack “{ $publisher }”, version { $version } (signature verified)
content-checklist-line = Checklist: { $title } (v{ $version }, { $questions } questions)

## Service directory

directory-heading = Service directory
directory-search-label = What service are you looking for?
directory-search-placeholder = For example: shelter, health, documents, psychological support
directory-country = Country
directory-any-country = All countries
directory-search = Search
directory-none-here = No matching service exists in this area.
directory-nearest-elsewhere = The nearest in other areas
directory-demo = Test data: it may not be real. Ask a humanitarian team before you go or call.
directory-call = Call { $number }
directory-undocumented = Serves people without documents
directory-adolescent-mothers = Accepts adolescents with their baby
directory-unaccompanied = Serves children travelling without their family
directory-yes = yes
directory-no = no
directory-unknown = not confirmed
country-co = Colombia
country-pe = Peru
country-bo = Bolivia
country-ec = Ecuador

## Content errors (signed packs)

error-rollback = This content pack (version { $offered }) is not newer than the installed one (version { $installed }). The current content is kept.
error-base-mismatch = This update is for another version of the content. The current content is kept.
error-content-storage = The content could not be read or saved. The installed content is unchanged.
error-not-a-pack = This file is not a Senda content pack. Nothing was installed.
error-truncated = The content pack is incomplete. Nothing was installed.
error-too-large = The content pack is too large. Nothing was installed.
error-untrusted-publisher = This device does not recognise the publisher of this pack ({ $publisher }). Nothing was installed.
error-bad-signature = The pack's signature is not valid: it may have been altered. Nothing was installed.
error-malformed = The content pack is damaged. Nothing was installed.

## Casework

country-ve = Venezuela
country-ht = Haiti
country-cu = Cuba
country-cl = Chile
country-ar = Argentina
country-br = Brazil
next = Next
save = Save
saved = Saved.
confirm-again = Tap again to confirm
back-to-case = Back to the case
back-to-cases = Back to cases
directory-distance = { $km } km away
cases-heading = Cases
cases-none = There are no cases on this device yet.
case-new = New case
outbox-counts = Changes waiting to sync: { $pending } ({ $held } of them wait for consent).
age-unknown = Age unknown
age-years = { $years } years old
flag-nearing-18 = Turns 18 soon
flag-nearing-18-long = Turns 18 around { $date }. Services for adults differ: plan the referral in time.
flag-follow-up-due = Follow-up due
flag-follow-up-due-long = A follow-up is due on { $date }.
level-none = Not screened
level-low = Low risk
level-medium = Medium risk
level-high = High risk
level-immediate = Immediate risk
case-new-heading = Open a case
case-edit-heading = Edit the case
case-edit = Edit details
case-minimal-note = Record only what is needed to help. Nothing is required except a name or alias, and no document is asked for.
case-alias = Name or alias
case-alias-hint = What they want to be called. A full name is not needed.
case-age = Age
case-age-unknown = Not known
case-age-estimated = Estimated
case-age-birth-date = Date of birth
case-age-years = Years (estimated)
case-birth-date = Date of birth
case-sex = Sex
case-gender = Gender
case-nationality = Nationality
case-country = Country where they are now
case-languages = Languages (comma-separated)
case-place = Place
case-place-none = Not recorded
case-travelling = Travelling with
case-helper = Prefers to be helped by
case-has-documents = Has documents with them?
case-with-baby = Travelling with their baby?
case-present = Who was present during the conversation
case-save = Save the case
sex-female = Female
sex-male = Male
sex-intersex = Intersex
sex-unknown = Not known
sex-prefer-not-to-say = Prefers not to say
gender-girl = Girl / woman
gender-boy = Boy / man
gender-non-binary = Non-binary
gender-other = Other
gender-unknown = Not known
gender-prefer-not-to-say = Prefers not to say
travelling-unaccompanied = Unaccompanied: without a parent or a relative caring for them (also with friends, a partner or an unrelated adult)
travelling-separated-with-adult = Separated: without their parents, with another relative
travelling-with-family = With their mother, father or usual caregiver
travelling-unknown = Not known
travelling-prefer-not-to-say = Prefers not to say
present-nobody-else = Nobody else
present-interpreter = Interpreter
present-relative = A relative
present-accompanying-adult = The accompanying adult
present-other-staff = Other staff
present-other = Someone else
helper-woman = A woman
helper-man = A man
helper-no-preference = No preference
helper-not-asked = Not asked
answer-yes = Yes
answer-no = No
answer-unknown = Doesn't know
answer-prefer-not-to-say = Prefers not to say
screenings-heading = Screenings
screenings-none = No screenings yet.
screening-start = New screening
screening-checklist = Checklist
screening-draft = Not finished
screening-continue = Continue
screening-see-result = See result
screening-visits-note = Telling takes time: on another visit you can do a new screening. The history is kept.
screening-step = Part { $step } of { $of }
screening-said = What they tell you
screening-observed = What you observe
screening-observed-hint = Not asked: note only what you saw.
screening-next = Save and continue
screening-finish = Save and see the result
screening-previous = Previous part
screening-pause = Pause (answers are kept)
result-heading = Screening result
result-immediate-heading = Immediate danger: act now
result-immediate-lead = Call the country's emergency or child-protection line first. Do not leave the child alone.
result-level-explain = Score { $score }. The level comes from the indicators present; what was not said never counts as “no risk”.
result-red-flags-not-assessed = Serious signs not yet assessed (unknown or not said). Return to them with care:
result-indicators = Indicators present
result-no-indicators = No indicator present from what is known today.
result-red-flag = serious sign
result-not-assessed = { $count } indicators were not assessed.
result-actions = What to do
result-refer = Refer to a service
referrals-heading = Referrals
referrals-none = No referrals yet.
referral-new = New referral
referral-slip = Referral slip
referral-queue = Queue for sending
referral-revoke = Cancel referral
referral-choose-heading = Choose a service
referral-choose-note = Directory services that answer what was found, nearby and for their age and situation. Police and migration are never proposed.
referral-none-nearby = There is no service of this kind nearby for their age and situation.
referral-choose = Choose this service
summary-heading = Tell-once summary
summary-note = Read it with the child. { $service } will receive it so they need not ask everything again. The risk level, what was found, the needs and the practical note always go; the personal details below go only if you tick them.
summary-level = Risk level
summary-indicators = What was found
summary-needs = Needs
summary-shared = Details to share, if the child agrees
summary-shared-hint = Nothing starts ticked. Tick only the details the child agrees to share: of these details, only ticked ones are sent.
summary-note-label = Practical note for the service
summary-note-hint = Needs and next steps, in a few words. Do not write what happened to them.
summary-reviewed = I reviewed it with the child and they say it is correct.
shared-alias = Name or alias
shared-age = Age
shared-gender = Gender
shared-nationality = Nationality
shared-languages = Languages
shared-travelling = Travelling with
shared-helper = Who they prefer to be helped by
consent-heading = Consent
consent-lead = Before sending anything to { $service }, explain and ask. Without consent, nothing leaves the device.
consent-explained = I explained, in plain words:
explained-what-is-shared = what is shared
explained-who-receives = who receives it
explained-what-happens-next = what happens next
explained-can-say-no = that they can say no
explained-can-withdraw = that they can change their mind later
consent-language = Language of the explanation
consent-language-other = Another language
consent-child-agrees = The child agrees.
consent-also = Also consented
consent-also-none = Nobody else
consent-also-guardian = Parent or guardian
consent-also-authority = Child-protection authority
consent-not-suspected = That person is not suspected of harming the child.
consent-wishes = The child's own wishes (a few words)
consent-share-with-org = They also agree that the case is kept on the organisation's server at sync: sealed, so that only the organisation's devices can open it, and only for the organisation's retention period.
consent-use-override = The law requires reporting without consent
consent-override-warning = This is recorded as an override, with your name, and shown as one everywhere.
consent-override-reason = Legal reason (required)
consent-and-queue = Record and queue for sending
consents-heading = Consents
consents-none = No consent recorded yet.
consent-override-badge = Legal override
consent-withdraw = Withdraw
consent-withdrawn = withdrawn on { $date }
consent-withdrawn-done = Consent withdrawn. The withdrawal goes out with the next sync.
purpose-share-with-organisation = Keep the case with the organisation
purpose-referral = Referral
status-draft = Draft
status-queued = Queued
status-sent = Sent
status-received = Received
status-accepted = Accepted
status-declined = Declined
status-first-contact = First contact made
status-service-provided = Service provided
status-closed = Closed
status-withdrawn = Withdrawn (consent withdrawn)
status-revoked = Cancelled
notes-heading = Practical notes
notes-hint = Needs, next steps and a follow-up date. What happened to them is not written here.
notes-needs = Needs
notes-next-steps = Next steps
notes-follow-up = Follow-up date
slip-heading = Referral slip
slip-queued = The referral is queued and goes out with the next sync.
slip-phone = Phone: { $number }
slip-follow-up = Follow-up: { $date }
slip-code-explain = Show this code on arrival. The QR code holds only this code, no personal data.
slip-qr-label = QR code of referral { $code }
slip-print = Print
category-alojamiento = Shelter
category-asesoria-legal = Legal advice
category-asistencia-economica = Financial help
category-documentacion = Documents
category-linea-emergencia = Emergency line
category-orientacion = Guidance
category-proteccion-ninez = Child protection
category-psicosocial = Psychosocial support
category-salud = Health
category-salud-mental-urgente = Urgent mental health
outbox-none = Nothing waiting to sync.
entity-case = Case
entity-screening = Screening
entity-consent = Consent
entity-referral = Referral
op-create = created
op-update = changed
op-complete = completed
op-withdraw = withdrawn
op-status = status change

## Public side (migrant mode)

country-question = Which country are you in now?
country-current = You are in: { $country }
country-change = Change
country-locate = Use the phone's location
country-locate-failed = Could not find the location. Choose the country yourself.
directory-boys = Serves boys
directory-lgbtiq = Serves LGBTIQ+ people
discreet-title = Notes
display-settings = Display and privacy
display-large-text = Large text
display-high-contrast = High contrast
display-discreet = Discreet mode: the app's window shows another name
display-not-saved = None of this is saved: when the app closes, it goes back to how it was.
help-heading = Ask for help
help-lead = Lines and services that can help you. Child-protection lines are usually free from a local phone. What you search for here is not saved.
help-kind = Kind of help
map-heading = Offline map
map-lead = Tap a point to see what it is. Zoom with the buttons, two fingers or the mouse wheel.
map-kind-route-place = Crossing or route place
map-kind-danger-zone = Danger zone
map-kind-service = Help service
map-list = See the points as a list
map-zoom-in = Zoom in
map-zoom-out = Zoom out
neutral-title = List
neutral-item-1 = Bread
neutral-item-2 = Rice
neutral-item-3 = Milk
neutral-item-4 = Soap
public-sections = Sections
quick-exit = Quick exit
read-aloud = Listen
read-aloud-stop = Stop
tab-rights = Your rights
tab-journey = Before, on the way, on arrival
tab-help = Ask for help
tab-map = Map
tab-rights-heading = Your rights in { $country }

## Sync

sync-heading = Sync
sync-not-enrolled = This device is not enrolled with the organisation's server yet. Nothing leaves the device until it is.
sync-server = Server address
sync-code = Enrolment code
sync-enrol = Enrol this device
sync-enrolled = Device enrolled.
sync-connected = Connected to { $server } (team { $team }).
sync-now = Sync now
sync-running = Syncing…
sync-progress = Sent { $sent } of { $total } · { $kb } KB
sync-report = Done: { $sent } changes sent ({ $kb } KB), { $received ->
        [one] 1 update received
       *[other] { $received } updates received
    }.
sync-held = { $held } changes stay on the device because consent is missing.
sync-conflicts = { $conflicts } fields were changed in two places at once: review them.
error-not-enrolled = This device is not enrolled with a server.
error-offline = The server could not be reached. Nothing was lost: try again when there is a connection.
error-refused = The server refused the request ({ $reason }). Nothing was lost.
error-revoked = The organisation revoked this device: its vault was wiped.
outbox-held = waits for consent
outbox-waiting = waiting to be sent
conflict-theirs = On the server
conflict-ours = On this device
conflict-resolved = Reviewed
conflict-hint = Two people changed the same field. Decide with your team which one holds, correct the case if needed, and mark the conflict reviewed.
incoming-heading = Referrals received by your organisation
incoming-none = There are no referrals for your organisation.
error-key-grant-unreadable = This device's copy of your organisation's key cannot be opened. Ask the administrator to grant it again. Nothing leaves unsealed: what needs the key waits on this device.
error-export-failed = The file could not be written (USB stick full or removed?). Nothing changed: the changes are still pending. Try again or another stick.
sync-content-available = A newer version of the content is available (version { $version }). Ask your organisation for the pack to keep the directory and rights information up to date.
sync-export = Export to a file (USB)
sync-exported = { $ops } encrypted changes were saved to { $file }. Take it to the office: the server imports them without duplicating anything, and they are confirmed at the next sync.
sync-export-none = There are no changes ready to export.
outbox-sent = sent
outbox-failed = could not be sent ({ $reason })
outbox-failed-offline = could not be sent: no connection
outbox-exported = in a USB file; confirmed at the next sync
outbox-conflict = in conflict: review
incoming-summary-no-organisation-key = The summary is encrypted for your organisation and this device does not have its key yet. Ask the administrator to grant it.
incoming-summary-withheld = This referral arrived without a summary. Ask the team that sent it; do not ask the child to tell their story again.
incoming-summary-unreadable = The summary is damaged and cannot be opened. Ask the team that sent it to check it.

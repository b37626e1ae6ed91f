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
start-public-door-hint = For children, adolescents and families on the move. No account, no trace.
start-staff-door = Staff
start-staff-door-hint = For the humanitarian team. Opens with your PIN.

## Public side

public-heading = Information and rights
public-intro = Here you will find your rights, advice for the journey and where to get help, without internet.
public-no-content = This device does not have the information pack installed yet. If you need help now, go to a member of the humanitarian team.
public-never-your-fault = If someone hurt you, it is not your fault. You have the right to protection.

## Staff: create and open the vault

staff-create-heading = First use: create your profile
staff-create-intro = This device has no vault yet. Whoever creates it becomes the device owner and can add colleagues, each with their own PIN.
staff-create-privacy = Children's data is stored encrypted on this device and opens only with a staff PIN.
staff-name-label = Name
staff-pin-label = PIN (at least 6 characters)
staff-pin-again-label = Repeat the PIN
staff-create-submit = Create the vault
staff-unlock-heading = Staff
staff-unlock-intro = Enter your PIN to open the vault.
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
error-pin-in-use = Someone else already uses that PIN on this device. Choose another.
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
error-consent-incomplete = The consent is not complete: { $missing }.
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
content-source = Source: { $source }. Verified on { $date }.
content-installed-heading = Installed content
content-none-installed = No content pack is installed.
content-pack-line = Pack “{ $publisher }”, version { $version } (signature verified)
content-checklist-line = Checklist: { $title } (v{ $version }, { $questions } questions)

## Service directory

directory-heading = Service directory
directory-search-label = What service are you looking for?
directory-search-placeholder = For example: psychological support, shelter
directory-country = Country
directory-any-country = All countries
directory-search = Search
directory-none-here = No matching service exists in this area.
directory-nearest-elsewhere = The nearest in other areas
directory-demo = Demo data — check before use
directory-call = Call { $number }
directory-undocumented = Serves people without documents
directory-adolescent-mothers = Accepts adolescent mothers with their baby
directory-unaccompanied = Serves unaccompanied children
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

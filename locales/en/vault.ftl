# The vault: who unlocks, PIN rules, staff (vault branch).

staff-who-heading = Who are you?
staff-who-intro = Choose your name, then type your PIN.
staff-who-unnamed = Profile { $n }
staff-pin-for = { $label }'s PIN
staff-not-me = Not me
staff-pin-rule = At least { $min } characters.
staff-pin-rule-digits = At least { $min } digits, numbers only.
staff-label-label = Name on the unlock screen
staff-label-hint = Anyone holding the device can see it: use a first name, a nickname or initials. Left empty, the first word of the name is used.
staff-add-owner-only = Only the person responsible for the device adds or removes staff.
staff-remove = Remove
staff-remove-confirm = Remove { $name }? Their PIN will no longer open this device. What they did stays in the log.
staff-remove-yes = Yes, remove
staff-remove-no = Cancel
staff-removed = { $name } was removed. Their PIN no longer opens this device.

error-pin-digits-only = Your organisation asks for a PIN of numbers only.
error-no-such-staff = That person is no longer on this device's list. Choose again.
error-label-in-use = Someone else already appears under that name on the unlock screen. Choose another.
error-foreign-item = The pack tries to change another publisher's content («{ $owner }»). Nothing was installed.

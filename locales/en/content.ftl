# content-rules (#13): review lines, real and demo data, the insufficient level.
level-insufficient = Not enough information
level-insufficient-explain = Most indicators were not assessed. This is not “low risk”: talk again later.
answer-not-observed = Could not be observed
screening-not-validated = This is not a validated instrument: it is a guide for the conversation and does not replace your judgement.
content-reviewed = Reviewed by { $by } on { $date }.
content-not-reviewed = No legal review yet.
content-legal-basis = Legal basis
directory-real = Real number. Checked by { $by } on { $date }.
demo-banner = Test version: some data is not real. Ask a humanitarian team before you go or call.
place-dangers-heading = Take care at this crossing
result-loading = Loading the result…
result-protection-lines = Child-protection lines
result-no-line = The installed directory has no emergency or child-protection line for this country. Ask your organisation for the number.
category-linea-proteccion = Child-protection line
result-indicator-retired = Indicator from an earlier version of the checklist

# Errors importing directories and checklists (senda-content).
error-missing-file = The package names a file that is not there. Nothing was imported.
error-too-large = The file is larger than an import can read. Nothing was imported.
error-not-utf8 = The file is not UTF-8. Save it as UTF-8 and import it again. Nothing was imported.
error-unreadable = The file could not be read. Nothing was imported.
error-not-a-workbook = The file is not an Excel workbook (.xlsx). Nothing was imported.
error-missing-sheet = A sheet of the workbook is missing. Nothing was imported.
error-bad-mapping = The mapping file has an error. Nothing was imported.
error-invalid-import = The data has problems; the report lists them. Nothing was imported.
error-xlsform = The XLSForm has an error at the sheet, row and column shown. Nothing was imported.

# Erros ao importar diretórios e listas de verificação (senda-content).
error-missing-file = O pacote cita um arquivo que não existe. Nada foi importado.
error-too-large = O arquivo é maior do que uma importação pode ler. Nada foi importado.
error-not-utf8 = O arquivo não está em UTF-8. Salve-o como UTF-8 e importe de novo. Nada foi importado.
error-unreadable = Não foi possível ler o arquivo. Nada foi importado.
error-not-a-workbook = O arquivo não é uma pasta de trabalho do Excel (.xlsx). Nada foi importado.
error-missing-sheet = Falta uma planilha na pasta de trabalho. Nada foi importado.
error-bad-mapping = O arquivo de correspondências tem um erro. Nada foi importado.
error-invalid-import = Os dados têm problemas; o relatório os lista. Nada foi importado.
error-xlsform = O XLSForm tem um erro na planilha, linha e coluna indicadas. Nada foi importado.

# Errores al importar directorios y listas de verificación (senda-content).
error-missing-file = El paquete nombra un archivo que no está. No se importó nada.
error-too-large = El archivo es más grande de lo que se puede importar. No se importó nada.
error-not-utf8 = El archivo no está en UTF-8. Guárdalo como UTF-8 y vuelve a importarlo. No se importó nada.
error-unreadable = No se pudo leer el archivo. No se importó nada.
error-not-a-workbook = El archivo no es un libro de Excel (.xlsx). No se importó nada.
error-missing-sheet = Falta una hoja del libro. No se importó nada.
error-bad-mapping = El archivo de correspondencias tiene un error. No se importó nada.
error-invalid-import = Los datos tienen problemas; el informe los lista. No se importó nada.
error-xlsform = El formulario XLSForm tiene un error en la hoja, fila y columna que se indican. No se importó nada.

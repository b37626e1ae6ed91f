# content-rules (#13): review lines, real and demo data, the insufficient level.
level-insufficient = Sin información suficiente
level-insufficient-explain = La mayoría de los indicadores quedaron sin evaluar. Esto no es «riesgo bajo»: vuelve a conversar más adelante.
answer-not-observed = No se pudo observar
screening-not-validated = No es un instrumento validado: es una guía para conversar y no reemplaza tu criterio.
content-reviewed = Revisado por { $by } el { $date }.
content-not-reviewed = Sin revisión legal todavía.
content-legal-basis = Base legal
directory-real = Número real. Lo revisó { $by } el { $date }.
demo-banner = Versión de prueba: algunos datos no son reales. Pregunta a un equipo humanitario antes de ir o llamar.
place-dangers-heading = Cuidado en este paso
result-loading = Cargando el resultado…
result-protection-lines = Líneas de protección de la niñez
result-no-line = El directorio instalado no tiene una línea de emergencia ni de protección para este país. Pide el número a tu organización.
category-linea-proteccion = Línea de protección de la niñez
result-indicator-retired = Indicador de una versión anterior de la lista

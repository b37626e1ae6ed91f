# Sync transport refusals (server-base). Nothing is lost in any of them.
error-insecure-server-url = Esta dirección no es segura: usa una que empiece por https:// (http:// solo vale para un servidor en este mismo equipo). No se envió nada.
error-redirected = El servidor intentó enviar los datos a otra dirección y Senda no la siguió. No se envió nada más; los registros siguen esperando.
error-answer-too-large = La respuesta del servidor era demasiado grande y no se leyó. Nada se perdió: los registros siguen esperando.
error-unsigned-answer = La respuesta no venía firmada por el servidor con el que se inscribió este dispositivo. No se marcó nada como enviado ni se borró nada; los registros siguen esperando.
error-no-server-key = Este dispositivo no tiene la clave de firma del servidor. Vuelve a inscribirlo con un código nuevo; nada se perdió.

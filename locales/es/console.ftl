## Consola web de Senda (senda-server, /console/). Español primero.

console-title = Consola de Senda
console-language = Idioma
console-nav = Secciones de la consola
console-nav-organisations = Organizaciones
console-nav-accounts = Cuentas de administración
console-nav-content = Contenido
console-nav-stats = Estadísticas
console-nav-audit = Registro de acciones
console-nav-overview = Resumen
console-nav-staff = Personal y códigos
console-nav-devices = Dispositivos
console-nav-routes = Rutas de servicios
console-nav-keys = Claves
console-nav-referrals = Remisiones
console-logout = Cerrar sesión
console-back-home = Volver al inicio de la consola
console-refused-heading = No se pudo hacer
console-save = Guardar
console-create = Crear
console-search = Buscar
console-show = Mostrar
console-none = Ninguno.
console-all = Todas
console-actions = Acciones
console-name = Nombre
console-team = Equipo
console-state = Estado
console-active = Activa
console-deactivated = Desactivada
console-deactivate = Desactivar
console-organisation = Organización
console-count = Cantidad
console-total = Total
console-status = Estado
console-service = Servicio
console-receiver = Organización receptora
console-code = Código
console-since = Desde
console-never = Nunca
console-staff = Persona
console-device = Dispositivo

## Entrar

console-login-heading = Entrar a la consola
console-login-intro = Para administradores de Senda. La consola nunca muestra datos de niñas, niños o adolescentes.
console-login-name = Usuario
console-login-name-hint = De 3 a 40 letras minúsculas, cifras, punto, guion o guion bajo.
console-password = Contraseña
console-login-submit = Entrar
console-password-heading = Elige tu contraseña
console-password-intro = La contraseña de un solo uso ya no sirve. Elige una nueva de al menos { $min } caracteres; una frase larga es más fácil de recordar.
console-password-new = Nueva contraseña
console-password-repeat = Repite la nueva contraseña
console-totp-heading = Segundo factor
console-totp-intro = Escribe el código de seis cifras que muestra tu aplicación de autenticación.
console-totp-setup-intro = Las cuentas de administración del servidor necesitan un segundo factor. Escanea este código QR con una aplicación de autenticación (por ejemplo, FreeOTP o Aegis) y escribe el código que te muestre.
console-totp-qr = Código QR para la aplicación de autenticación
console-totp-secret = Si no puedes escanear, escribe esta clave:
console-totp-code = Código de seis cifras
console-totp-submit = Verificar
console-totp-on = Activado
console-totp-off = No activado
console-totp-enable = Activar el segundo factor
console-account-heading = Mi cuenta
console-role = Función
console-role-server = Administración del servidor (todas las organizaciones)
console-role-organisation = Administración de una organización

## Servidor

console-organisations-caption = Organizaciones de este servidor
console-organisation-new = Nueva organización
console-key = Clave de la organización
console-key-set = Clave registrada
console-key-missing = Sin clave todavía
console-accounts-caption = Cuentas que pueden entrar a esta consola
console-account-new = Nueva cuenta de administración
console-account-created = Cuenta creada
console-one-time-password = Contraseña de un solo uso
console-one-time-password-hint = Entrégala en persona. Solo se muestra ahora; hay que cambiarla al entrar por primera vez.
console-audit-intro = Quién hizo qué y cuándo. Aquí solo quedan identificadores y códigos, nunca datos de una niña o un niño.
console-audit-caption = Acciones de administración, las más recientes primero
console-when = Cuándo
console-who = Quién
console-what = Qué
console-subject = Sobre
console-content-intro = Avisa a todos los dispositivos, en su próxima sincronización, de que hay una versión nueva del paquete de contenido.
console-content-versions-unknown = Ningún dispositivo activo ha informado todavía qué versión tiene instalada; lo hace al final de cada sincronización.
console-content-publisher = Editor del paquete
console-content-version = Versión (número entero)
console-content-announce = Anunciar la versión

## Una organización

console-devices-active = dispositivos activos
console-referrals-total = remisiones
console-referrals-by-status = Remisiones por estado
console-referrals-by-receiver = Remisiones por organización receptora
console-staff-caption = Personal de la organización
console-staff-new = Añadir una persona
console-staff-add = Añadir
console-deactivate-hint = Desactivar a alguien que se fue revoca todos sus dispositivos: se borran en su próxima conexión.
console-code-make = Crear código de inscripción
console-code-for = Crear código de inscripción para
console-code-team = Código de inscripción para un equipo
console-code-days = Válido durante (días)
console-code-made = Código de inscripción
console-code-expires = Sirve una sola vez y caduca en { $days } días ({ $date } UTC).
console-code-qr = Código QR con la dirección del servidor y el código de inscripción
console-code-once = Anótalo o escanéalo ahora: el servidor guarda solo una huella del código y no puede volver a mostrarlo.
console-devices-caption = Dispositivos de la organización
console-last-sync = Última conexión
console-held = En espera
console-key-granted = Recibió la clave
console-key-waiting = Espera la clave
console-revoked = Revocado
console-revoke = Revocar
console-revoke-hint = Un dispositivo revocado se borra en su próxima conexión con el servidor.
console-routes-intro = El servidor no guarda el directorio del paquete de contenido. Aquí ves los servicios que ya tienen ruta y los que recibieron remisiones sin organización receptora; también puedes escribir el identificador de un servicio del directorio.
console-routes-search = Buscar un servicio por su identificador
console-routes-unrouted = Servicios sin organización receptora
console-routes-unrouted-hint = Las remisiones a estos servicios solo viajan en papel.
console-routes-referrals = { $count ->
    [one] { $count } remisión
   *[other] { $count } remisiones
}
console-routes-routed = Servicios con organización receptora
console-route-new = Asignar un servicio a una organización receptora
console-service-hint = El identificador del servicio en el directorio, por ejemplo svc-legal-rumichaca.
console-route-submit = Asignar
console-keys-intro = La clave de la organización sella cada dato que sale de sus dispositivos y los resúmenes de remisión. El servidor guarda solo las claves públicas, firmadas por la clave de administración; las secretas nunca pasan por esta consola.
console-key-fingerprint = Huella de la clave de administración (la que fijan los dispositivos al inscribirse)
console-key-serial = Clave de sellado en uso (número)
console-key-granted-count = Dispositivos que recibieron la clave
console-key-waiting-count = Dispositivos que esperan la clave
console-keys-how = Para crear las claves: senda-server admin org-key ORGANIZACIÓN ARCHIVO en un equipo de confianza. Para cambiar la clave de sellado: el mismo comando con --rotate; lo sellado antes se sigue abriendo.
console-keys-waiting-how = Nadie recibe la clave sin que una persona lo apruebe: compara la huella que muestra el dispositivo nuevo y apruébalo en un dispositivo que ya tenga la clave, o con senda-server admin grant-keys ARCHIVO HUELLA.
console-referrals-intro = Cantidades sin redondear para el seguimiento interno. Para informar fuera de la organización usa Estadísticas.
console-no-receiver = Sin receptora en Senda
console-overdue-heading = Remisiones sin recibir o sin aceptar desde hace más de { $days } días
console-overdue-days = Días sin avance
console-overdue-caption = Remisiones atrasadas: código, servicio, fecha y estado

## Estados de una remisión

console-status-draft = Borrador
console-status-queued = En cola
console-status-sent = Enviada
console-status-received = Recibida
console-status-accepted = Aceptada
console-status-declined = Rechazada
console-status-first-contact = Primer contacto
console-status-service-provided = Servicio prestado
console-status-closed = Cerrada
console-status-withdrawn = Consentimiento retirado
console-status-revoked = Anulada

## Estadísticas

console-stats-intro = Cifras para informar sin exponer a nadie: toda cantidad de 1 a { $max } se muestra como «<{ $k }», y otra celda se oculta donde un total la revelaría.
console-period = Periodo (mes)
console-audience = Para quién
console-audience-internal = Personal de la organización («<5»)
console-audience-external = Fuera de la organización («<11», redondeado a 5)
console-stats-legend-small = «<{ $k }»: de 1 a { $max }.
console-stats-legend-complement = «*»: oculta para que un total no revele una cifra pequeña.
console-stats-legend-rounded = Las cifras visibles están redondeadas al múltiplo de 5 más cercano.
console-stats-by-status = Remisiones por estado y organización receptora
console-stats-chart-status = Remisiones por estado (las cifras ocultas no tienen barra)
console-stats-services = Servicios con más remisiones
console-stats-referrals = Remisiones
console-stats-csv = Descargar CSV (tal como se muestra)
console-stats-screenings = Evaluaciones por nivel de riesgo, país, semana y edad
console-stats-screenings-pending = Aparecerán cuando los dispositivos envíen los campos generales de las evaluaciones (país, semana ISO, nivel de riesgo, franja de edad); los datos de cada caso nunca llegan al servidor.

console-country = País
console-risk = Nivel de riesgo
console-week = Semana ISO
console-stats-by-risk = Evaluaciones por nivel de riesgo y franja de edad
console-stats-by-week = Evaluaciones por semana y país
console-stats-referral-filters = El filtro de país se aplica a las evaluaciones; las remisiones se filtran por organización y mes (el mes de su último cambio).
console-unknown = Sin dato
console-risk-immediate = Inmediato
console-risk-high = Alto
console-risk-medium = Medio
console-risk-insufficient = Sin información suficiente
console-risk-low = Bajo
console-risk-unknown = Sin determinar

## Avisos

console-done-organisation-created = Organización creada.
console-done-account-deactivated = Cuenta desactivada; sus sesiones se cerraron.
console-done-content-announced = Versión anunciada a todas las organizaciones.
console-done-staff-added = Persona añadida.
console-done-staff-deactivated = Persona desactivada; en su próxima sincronización cada uno de sus dispositivos envía lo que está listo para enviar y luego se borra.
console-done-device-revoked = Dispositivo revocado: se borrará en su próxima conexión.
console-done-service-routed = Servicio asignado.

## Registro de acciones

console-action-login = Entró a la consola
console-action-password-changed = Cambió su contraseña
console-action-totp-enabled = Activó el segundo factor
console-action-organisation-created = Creó una organización
console-action-account-created = Creó una cuenta de administración
console-action-account-deactivated = Desactivó una cuenta de administración
console-action-content-announced = Anunció una versión de contenido
console-action-staff-added = Añadió una persona
console-action-staff-deactivated = Desactivó a una persona
console-action-code-made = Creó un código de inscripción
console-action-device-revoked = Revocó un dispositivo
console-action-service-routed = Asignó un servicio
console-action-stats-exported = Descargó estadísticas

## Errores

console-error-login = Usuario o contraseña incorrectos.
console-error-locked = Demasiados intentos fallidos. Espera 15 minutos y vuelve a intentarlo.
console-error-deactivated = Esta cuenta fue desactivada.
console-error-session = Tu sesión terminó o no existe. Vuelve a entrar.
console-error-csrf = El formulario caducó o no vino de esta consola. Recarga la página y vuelve a intentarlo.
console-error-forbidden = Tu cuenta no puede ver ni cambiar esto.
console-error-not-found = No existe.
console-error-unavailable = El servidor no pudo guardar ni leer los datos ahora. Vuelve a intentarlo en un momento.
console-error-password-mismatch = Las dos contraseñas no coinciden.
console-error-password-short = La contraseña debe tener entre 12 y 200 caracteres.
console-error-password-login = La contraseña no puede contener tu usuario.
console-error-password-wrong = Elige una contraseña distinta de la de un solo uso.
console-error-totp = Ese código no es correcto o ya se usó. Espera el siguiente código.
console-error-name = Escribe un nombre de 1 a 120 caracteres.
console-error-team = Escribe un equipo de 1 a 60 caracteres.
console-error-days = Elige entre 1 y 90 días.
console-error-login-name = El usuario debe tener de 3 a 40 letras minúsculas, cifras, punto, guion o guion bajo.
console-error-login-taken = Ya existe una cuenta con ese usuario.
console-error-organisation = Esa organización no existe.
console-error-service = El identificador del servicio debe tener de 1 a 100 letras minúsculas, cifras, punto, dos puntos, guion o guion bajo.
console-error-route-taken = Otra organización ya recibe las remisiones a ese servicio. Solo la administración del servidor puede cambiarlo.
console-error-no-organisation-key = La organización receptora necesita registrar su clave antes de recibir remisiones.
console-error-version = La versión debe ser un número entero mayor que cero.
console-error-publisher = Escribe el editor del paquete (de 1 a 80 caracteres).
console-error-filter = Ese filtro no es una de las opciones ofrecidas.
console-error-staff-deactivated = Esa persona fue desactivada: ya no puede inscribir dispositivos.
console-error-no-such-device = No hay un dispositivo activo con ese identificador.

## Session 6: settings sent to devices, what devices report, time to acceptance
console-devices-reported = Cada dispositivo informa al final de cada sincronización la versión de la aplicación y del contenido, sus operaciones pendientes y en espera, y el número de entradas y la última huella de su registro de auditoría. Si el registro tiene menos entradas que antes, se marca: pudo haber sido truncado.
console-versions = Versiones
console-pending = Pendientes
console-audit-log = Registro de auditoría
console-app-version = Aplicación { $version }
console-content-version-n = Contenido v{ $version }
console-content-none = Sin contenido
console-audit-entries = { $count } entradas
console-audit-dropped = Registro más corto o reescrito ({ $at })
console-not-reported = Todavía no informó (se informa al sincronizar).
console-content-running = Versiones en los dispositivos activos
console-nav-settings = Ajustes
console-settings-intro = Estos ajustes llegan a los dispositivos de la organización en su próxima sincronización.
console-settings-retention = Periodo de conservación
console-settings-retention-hint = Cuántos días se conserva un caso después de su último cambio, en el servidor y en los dispositivos, si no tiene remisiones abiertas.
console-settings-retention-days = Días (de 1 a 365)
console-settings-retention-unset = Sin fijar: el servidor conserva los casos hasta que se retire el consentimiento, y cada dispositivo usa su propio periodo.
console-settings-pin = Política de PIN
console-settings-pin-hint = Se aplica a cada PIN que se cree o cambie en los dispositivos desde su próxima sincronización; los PIN actuales siguen valiendo. Longitud mínima de { $floor } a { $ceiling }.
console-settings-pin-length = Longitud mínima
console-settings-pin-letters = Se permiten letras (si no, solo números)
console-settings-pin-unset = Sin fijar: los dispositivos usan la política por defecto.
console-done-retention-set = Periodo de conservación guardado; llega a los dispositivos en su próxima sincronización.
console-done-pin-policy-set = Política de PIN guardada; llega a los dispositivos en su próxima sincronización.
console-action-retention-set = Fijó el periodo de conservación
console-action-pin-policy-set = Fijó la política de PIN
console-error-retention = El periodo de conservación debe ser un número entero de días, de 1 a 365.
console-error-pin-length = La longitud mínima del PIN debe ser un número entero de 6 a 64.
console-error-pin-letters = Marca o desmarca «Se permiten letras»; no se entendió el valor enviado.
console-stats-acceptance = Tiempo hasta la aceptación
console-stats-acceptance-hint = Remisiones aceptadas, por días entre su envío y su aceptación, y por organización receptora. Solo cuentan las que se enviaron y aceptaron desde que el servidor registra esas fechas.
console-stats-acceptance-none = Todavía no hay remisiones aceptadas con fechas registradas.
console-stats-days = Días hasta aceptar
console-accept-band-0-1 = 0 a 1 día
console-accept-band-2-7 = 2 a 7 días
console-accept-band-8-14 = 8 a 14 días
console-accept-band-15-30 = 15 a 30 días
console-accept-band-31-more = 31 días o más
console-held-here = { $count } más esperan aquí su base

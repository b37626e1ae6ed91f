## Senda — español (idioma por defecto). Cada texto de la interfaz vive aquí.

app-title = Senda
nav-home = Inicio de Senda
language-label = Idioma
language-name = Español
working = Un momento…
back = Volver

## Pantalla de inicio

start-heading = ¿Qué necesitas hoy?
start-public-door = Información y derechos
start-public-door-hint = Para niñas, niños, adolescentes y familias en camino. Sin cuenta. Lo que lees y buscas aquí no se guarda.
start-staff-door = Personal
start-staff-door-hint = Para el equipo humanitario. Se abre con tu PIN.

## Lado público

public-heading = Información y derechos
public-intro = Aquí están tus derechos, consejos para el camino y dónde pedir ayuda. Funciona sin internet.
public-no-content = Todavía no hay nada que leer aquí. Si necesitas ayuda ya, habla con una persona del equipo que te atiende.
public-never-your-fault = Si alguien te hizo daño, no es tu culpa. Tienes derecho a recibir protección.

## Personal: crear la bóveda y abrirla

staff-create-heading = Primer uso: crea tu perfil
staff-create-intro = Este dispositivo aún no tiene bóveda. Quien la crea queda como responsable del dispositivo y puede añadir a sus colegas, cada una con su propio PIN.
staff-create-privacy = Los datos de niñas, niños y adolescentes se guardan cifrados en este dispositivo y solo se abren con un PIN del personal.
staff-name-label = Nombre
staff-pin-label = PIN
staff-pin-again-label = Repite el PIN
staff-create-submit = Crear la bóveda
staff-unlock-heading = Personal
staff-unlock-submit = Abrir
staff-auto-locked = La bóveda se bloqueó porque no se usó durante un rato. Tus datos están guardados.

## Personal: inicio

home-greeting = Hola, { $name }
home-lock = Bloquear
home-vault-note = La bóveda está abierta. Se bloquea sola tras { $minutes ->
        [one] 1 minuto
       *[other] { $minutes } minutos
    } sin uso.
role-owner = Responsable del dispositivo
role-staff = Personal
change-pin-heading = Cambiar mi PIN
change-pin-current = PIN actual
change-pin-new = PIN nuevo
change-pin-submit = Cambiar el PIN
change-pin-done = PIN cambiado. Los datos siguen igual.
staff-list-heading = Personal en este dispositivo
add-staff-heading = Añadir a una persona del equipo
add-staff-submit = Añadir
add-staff-done = { $name } ya puede abrir la bóveda con su propio PIN.
policy-heading = Bloqueo del dispositivo
policy-owner-only = Solo la persona responsable del dispositivo puede cambiar estos ajustes.
policy-auto-lock = Minutos sin uso antes de bloquear
policy-max-failed = Intentos fallidos antes del bloqueo largo
policy-wipe = Borrar la bóveda al agotar los intentos
policy-wipe-hint = Actívalo solo si el dispositivo corre riesgo de caer en malas manos: lo que no se haya sincronizado se pierde.
policy-save = Guardar
policy-saved = Ajustes guardados.

## Errores (uno por código de senda-core, más los de la interfaz)

error-wrong-pin = PIN incorrecto. { $attempts_left ->
        [one] Queda 1 intento antes del bloqueo.
       *[other] Quedan { $attempts_left } intentos antes del bloqueo.
    }
error-retry-later = Hubo varios intentos fallidos. Espera { $retry_after_secs } segundos y vuelve a intentarlo.
error-locked-out = Demasiados intentos fallidos: el dispositivo está bloqueado. Podrás intentarlo de nuevo en { $minutes } minutos.
error-wiped = Se agotaron los intentos y la bóveda se borró, como había decidido la persona responsable del dispositivo.
error-locked = La bóveda está bloqueada. Escribe tu PIN para continuar.
error-already-created = Este dispositivo ya tiene una bóveda.
error-not-created = Este dispositivo todavía no tiene una bóveda.
error-pin-too-short = El PIN debe tener al menos { $min } caracteres.
error-pin-mismatch = Los dos PIN no coinciden.
error-name-required = Escribe un nombre.
error-vault-missing = No se encuentra el archivo de la bóveda. No se borró nada: pide ayuda al equipo técnico.
error-corrupted = El archivo de la bóveda está dañado. No se borró ni se cambió nada: pide ayuda al equipo técnico antes de seguir.
error-schema-too-new = Una versión más nueva de Senda escribió esta bóveda. Actualiza la aplicación: tus datos siguen intactos.
error-disk-full = El dispositivo no tiene espacio libre. El último cambio no se guardó; libera espacio y vuelve a intentarlo.
error-not-permitted = Solo la persona responsable del dispositivo puede hacer esto.
error-invalid-setting = Ese valor no está permitido.
error-storage = No se pudo guardar. Lo que ya estaba guardado sigue intacto.
error-audit-tampered = El registro de auditoría fue alterado (entrada { $seq }). Avisa a la persona responsable: no se borró nada.
error-invalid-field = Revisa este dato: { $field }.
error-not-found = No se encontró ese registro. Puede que se haya borrado al cumplir el plazo de conservación.
error-invalid-answer = La respuesta a «{ $question }» no es válida para esa pregunta. No se guardó nada de esta sección.
error-answers-missing = Faltan respuestas. «No sé» y «Prefiere no decir» también son respuestas.
error-screening-complete = Este tamizaje ya está terminado y no se puede cambiar. Empieza uno nuevo en esta visita.
error-checklist-not-installed = La lista de verificación de este tamizaje ya no está instalada.
error-checklist-changed = Este tamizaje empezó con la versión { $was } de la lista y ahora está instalada la { $now }. Sus respuestas se conservan; empieza un tamizaje nuevo.
error-consent-required = Falta registrar el consentimiento para compartir esto. Nada salió del dispositivo.
error-consent-incomplete = El consentimiento no está completo: { $missing ->
    [child-agreement] falta marcar que la niña, niño o adolescente está de acuerdo
    [explanation] falta marcar cada punto que se le explicó
    [language] falta el idioma de la explicación
    [consenter-not-suspected] falta confirmar que la persona que también consintió no es sospechosa de hacerle daño
   *[other] { $missing }
    }.
error-override-reason-required = Escribe por qué la ley obliga a informar sin consentimiento (al menos 10 caracteres).
error-service-not-listed = El directorio instalado ya no incluye este servicio. Elige otro servicio; la derivación sigue en borrador.
error-bad-transition = Una derivación no puede pasar de «{ $from }» a «{ $to }».
error-summary-not-reviewed = Revisa el resumen con la niña, niño o adolescente y marca que lo aceptó antes de enviarlo.
error-unexpected = Algo salió mal. Vuelve a intentarlo.

## Contenido

stage-before-leaving = Antes de salir
stage-on-the-road = En el camino
stage-on-arrival = Al llegar
content-fallback-note = Este texto aún no está traducido: se muestra en español.
content-source = Fuente: { $source }.
content-installed-heading = Contenido instalado
content-none-installed = No hay ningún paquete de contenido instalado.
content-pack-line = Paquete «{ $publisher }», versión { $version } (firma verificada)
content-checklist-line = Lista de verificación: { $title } (v{ $version }, { $questions } preguntas)

## Directorio de servicios

directory-heading = Directorio de servicios
directory-search-label = ¿Qué servicio buscas?
directory-search-placeholder = Por ejemplo: alojamiento, salud, documentos, apoyo psicológico
directory-country = País
directory-any-country = Todos los países
directory-search = Buscar
directory-none-here = No hay ningún servicio que coincida en esta zona.
directory-nearest-elsewhere = Los más cercanos en otras zonas
directory-demo = Dato de prueba: puede no ser real. Pregunta a un equipo humanitario antes de ir o llamar.
directory-call = Llamar al { $number }
directory-undocumented = Atiende a personas sin documentos
directory-adolescent-mothers = Acepta a adolescentes con su bebé
directory-unaccompanied = Atiende a niñas, niños y adolescentes que viajan sin su familia
directory-yes = sí
directory-no = no
directory-unknown = sin confirmar
country-co = Colombia
country-pe = Perú
country-bo = Bolivia
country-ec = Ecuador

## Errores del contenido (paquetes firmados)

error-rollback = Este paquete de contenido (versión { $offered }) no es más nuevo que el instalado (versión { $installed }). Se mantiene el contenido actual.
error-base-mismatch = Esta actualización es para otra versión del contenido. Se mantiene el contenido actual.
error-content-storage = No se pudo leer o guardar el contenido. El contenido instalado sigue igual.
error-not-a-pack = Este archivo no es un paquete de contenido de Senda. No se instaló nada.
error-truncated = El paquete de contenido está incompleto. No se instaló nada.
error-too-large = El paquete de contenido es demasiado grande. No se instaló nada.
error-untrusted-publisher = Este dispositivo no reconoce a quien publica este paquete ({ $publisher }). No se instaló nada.
error-bad-signature = La firma del paquete no es válida: pudo ser alterado. No se instaló nada.
error-malformed = El paquete de contenido está dañado. No se instaló nada.

## Casework

country-ve = Venezuela
country-ht = Haití
country-cu = Cuba
country-cl = Chile
country-ar = Argentina
country-br = Brasil
next = Siguiente
save = Guardar
saved = Guardado.
confirm-again = Toca otra vez para confirmar
back-to-case = Volver al caso
back-to-cases = Volver a los casos
directory-distance = A { $km } km
cases-heading = Casos
cases-none = Todavía no hay casos en este dispositivo.
case-new = Nuevo caso
outbox-counts = Cambios por sincronizar: { $pending } (de ellos, { $held } esperan consentimiento).
age-unknown = Edad desconocida
age-years = { $years } años
flag-nearing-18 = Cumple 18 pronto
flag-nearing-18-long = Cumple 18 años alrededor del { $date }. Los servicios para adultos son distintos: planifica la derivación a tiempo.
flag-follow-up-due = Seguimiento pendiente
flag-follow-up-due-long = Hay un seguimiento previsto para el { $date }.
level-none = Sin tamizaje
level-low = Riesgo bajo
level-medium = Riesgo medio
level-high = Riesgo alto
level-immediate = Riesgo inmediato
case-new-heading = Abrir un caso
case-edit-heading = Editar el caso
case-edit = Editar datos
case-minimal-note = Registra solo lo necesario para ayudar. Ningún dato es obligatorio salvo el nombre o apodo, y no se pide ningún documento.
case-alias = Nombre o apodo
case-alias-hint = Como quiere que le llamen. No hace falta el nombre completo.
case-age = Edad
case-age-unknown = No se sabe
case-age-estimated = Estimada
case-age-birth-date = Fecha de nacimiento
case-age-years = Años (estimados)
case-birth-date = Fecha de nacimiento
case-sex = Sexo
case-gender = Género
case-nationality = Nacionalidad
case-country = País donde está ahora
case-languages = Idiomas (separados por comas)
case-place = Lugar
case-place-none = Sin registrar
case-travelling = Con quién viaja
case-helper = Prefiere que le atienda
case-has-documents = ¿Tiene documentos consigo?
case-with-baby = ¿Viaja con su bebé?
case-present = Quién estuvo presente en la conversación
case-save = Guardar el caso
sex-female = Femenino
sex-male = Masculino
sex-intersex = Intersexual
sex-unknown = No se sabe
sex-prefer-not-to-say = Prefiere no decir
gender-girl = Niña / mujer
gender-boy = Niño / hombre
gender-non-binary = No binario
gender-other = Otro
gender-unknown = No se sabe
gender-prefer-not-to-say = Prefiere no decir
travelling-unaccompanied = No acompañado/a: sin madre, padre ni familiar que le cuide (también con amigos, con su pareja o con un adulto que no es familiar)
travelling-separated-with-adult = Separado/a: sin su madre ni su padre, con otro familiar
travelling-with-family = Con su madre, su padre o quien le cuida habitualmente
travelling-unknown = No se sabe
travelling-prefer-not-to-say = Prefiere no decir
present-nobody-else = Nadie más
present-interpreter = Intérprete
present-relative = Un familiar
present-accompanying-adult = El adulto que le acompaña
present-other-staff = Otra persona del equipo
present-other = Otra persona
helper-woman = Una mujer
helper-man = Un hombre
helper-no-preference = Le da igual
helper-not-asked = No se preguntó
answer-yes = Sí
answer-no = No
answer-unknown = No sabe
answer-prefer-not-to-say = Prefiere no decir
screenings-heading = Tamizajes
screenings-none = Todavía no hay tamizajes.
screening-start = Nuevo tamizaje
screening-checklist = Lista de verificación
screening-draft = Sin terminar
screening-continue = Continuar
screening-see-result = Ver resultado
screening-visits-note = Contar lo vivido lleva tiempo: en otra visita puedes hacer un tamizaje nuevo. El historial se conserva.
screening-step = Parte { $step } de { $of }
screening-said = Lo que cuenta
screening-observed = Lo que observas
screening-observed-hint = No se pregunta: anota solo lo que viste.
screening-next = Guardar y seguir
screening-finish = Guardar y ver el resultado
screening-previous = Parte anterior
screening-pause = Pausar (se guarda lo respondido)
result-heading = Resultado del tamizaje
result-immediate-heading = Peligro inmediato: actúa ahora
result-immediate-lead = Llama primero a la línea de emergencia o de protección del país. No dejes sola a la niña, niño o adolescente.
result-level-explain = Puntuación { $score }. El nivel sale de los indicadores presentes; lo no dicho nunca cuenta como «sin riesgo».
result-red-flags-not-assessed = Señales graves aún sin evaluar (no se sabe o no lo dijo). Vuelve a ellas con cuidado:
result-indicators = Indicadores presentes
result-no-indicators = Ningún indicador presente con lo que se sabe hoy.
result-red-flag = señal grave
result-not-assessed = { $count } indicadores quedaron sin evaluar.
result-actions = Qué hacer
result-refer = Derivar a un servicio
referrals-heading = Derivaciones
referrals-none = Todavía no hay derivaciones.
referral-new = Nueva derivación
referral-slip = Hoja de derivación
referral-queue = Poner en cola de envío
referral-revoke = Anular
referral-choose-heading = Elegir un servicio
referral-choose-note = Servicios del directorio que responden a lo que se encontró, cerca y para su edad y situación. La policía y migración nunca se proponen.
referral-none-nearby = No hay ningún servicio de este tipo cerca para su edad y situación.
referral-choose = Elegir este servicio
summary-heading = Resumen para contar una sola vez
summary-note = Léelo con la niña, niño o adolescente. { $service } lo recibirá para no tener que preguntar todo otra vez. Siempre van el nivel de riesgo, lo que se encontró, las necesidades y la nota práctica; los datos personales de abajo solo van si los marcas.
summary-level = Nivel de riesgo
summary-indicators = Lo que se encontró
summary-needs = Necesidades
summary-shared = Datos para compartir, si acepta
summary-shared-hint = Ninguna casilla viene marcada. Marca solo los datos que la niña, niño o adolescente acepte compartir: de esta lista, solo se envía lo marcado.
summary-note-label = Nota práctica para el servicio
summary-note-hint = Necesidades y próximos pasos, en pocas palabras. No escribas lo que le pasó.
summary-reviewed = Lo revisé con la niña, niño o adolescente y dice que el resumen es correcto.
shared-alias = Nombre o apodo
shared-age = Edad
shared-gender = Género
shared-nationality = Nacionalidad
shared-languages = Idiomas
shared-travelling = Con quién viaja
shared-helper = Quién prefiere que le atienda
consent-heading = Consentimiento
consent-lead = Antes de enviar nada a { $service }, explica y pregunta. Sin consentimiento, nada sale del dispositivo.
consent-explained = Expliqué, en palabras sencillas:
explained-what-is-shared = qué se comparte
explained-who-receives = quién lo recibe
explained-what-happens-next = qué pasará después
explained-can-say-no = que puede decir que no
explained-can-withdraw = que puede cambiar de opinión después
consent-language = Idioma de la explicación
consent-language-other = Otro idioma
consent-child-agrees = La niña, niño o adolescente está de acuerdo.
consent-also = También dio su consentimiento
consent-also-none = Nadie más
consent-also-guardian = Madre, padre o tutor
consent-also-authority = Autoridad de protección
consent-not-suspected = Esa persona no es sospechosa de hacerle daño.
consent-wishes = Lo que desea la niña, niño o adolescente (pocas palabras)
consent-share-with-org = También acepta que el caso se guarde en el servidor de la organización al sincronizar: sellado, de modo que solo los dispositivos de la organización pueden abrirlo, y solo durante el plazo de conservación de la organización.
consent-use-override = La ley obliga a informar sin consentimiento
consent-override-warning = Esto queda registrado como excepción, con tu nombre, y se muestra así en todas partes.
consent-override-reason = Motivo legal (obligatorio)
consent-and-queue = Registrar y poner en cola de envío
consents-heading = Consentimientos
consents-none = Todavía no hay consentimientos registrados.
consent-override-badge = Excepción legal
consent-withdraw = Retirar
consent-withdrawn = retirado el { $date }
consent-withdrawn-done = Consentimiento retirado. El retiro se enviará en la próxima sincronización.
purpose-share-with-organisation = Guardar el caso en la organización
purpose-referral = Derivación
status-draft = Borrador
status-queued = En cola de envío
status-sent = Enviada
status-received = Recibida
status-accepted = Aceptada
status-declined = Rechazada
status-first-contact = Primer contacto hecho
status-service-provided = Servicio prestado
status-closed = Cerrada
status-withdrawn = Retirada (consentimiento retirado)
status-revoked = Anulada
notes-heading = Notas prácticas
notes-hint = Necesidades, próximos pasos y fecha de seguimiento. Aquí no se escribe lo que le pasó.
notes-needs = Necesidades
notes-next-steps = Próximos pasos
notes-follow-up = Fecha de seguimiento
slip-heading = Hoja de derivación
slip-queued = La derivación está en la cola y saldrá en la próxima sincronización.
slip-phone = Teléfono: { $number }
slip-follow-up = Seguimiento: { $date }
slip-code-explain = Muestra este código al llegar. El código QR contiene solo este código, ningún dato personal.
slip-qr-label = Código QR de la derivación { $code }
slip-print = Imprimir
category-alojamiento = Alojamiento
category-asesoria-legal = Orientación legal
category-asistencia-economica = Ayuda económica
category-documentacion = Documentos
category-linea-emergencia = Línea de emergencia
category-orientacion = Orientación
category-proteccion-ninez = Protección de la niñez
category-psicosocial = Apoyo psicosocial
category-salud = Salud
category-salud-mental-urgente = Salud mental urgente
outbox-none = Nada pendiente de sincronizar.
entity-case = Caso
entity-screening = Tamizaje
entity-consent = Consentimiento
entity-referral = Derivación
op-create = creado
op-update = modificado
op-complete = terminado
op-withdraw = retirado
op-status = cambio de estado

## Public side (migrant mode)

country-question = ¿En qué país estás ahora?
country-current = Estás en: { $country }
country-change = Cambiar
country-locate = Usar la ubicación del celular
country-locate-failed = No se pudo saber la ubicación. Elige el país tú.
directory-boys = Atiende a varones
directory-lgbtiq = Atiende a personas LGBTIQ+
discreet-title = Notas
display-settings = Pantalla y privacidad
display-large-text = Letra grande
display-high-contrast = Alto contraste
display-discreet = Modo discreto: la ventana de la app muestra otro nombre
display-not-saved = Nada de esto se guarda: al cerrar la aplicación, vuelve a como estaba.
help-heading = Pedir ayuda
help-lead = Líneas y servicios que te pueden ayudar. Las líneas de protección suelen ser gratis desde un celular del país. Lo que busques aquí no se guarda.
help-kind = Tipo de ayuda
map-heading = Mapa sin internet
map-lead = Toca un punto para ver qué es. Acerca con los botones, con dos dedos o con la rueda del mouse.
map-kind-route-place = Paso o lugar de la ruta
map-kind-danger-zone = Zona de peligro
map-kind-service = Servicio de ayuda
map-list = Ver los puntos como lista
map-zoom-in = Acercar
map-zoom-out = Alejar
neutral-title = Lista
neutral-item-1 = Pan
neutral-item-2 = Arroz
neutral-item-3 = Leche
neutral-item-4 = Jabón
public-sections = Secciones
quick-exit = Salir rápido
read-aloud = Escuchar
read-aloud-stop = Parar
tab-rights = Tus derechos
tab-journey = Antes, en el camino, al llegar
tab-help = Pedir ayuda
tab-map = Mapa
tab-rights-heading = Tus derechos en { $country }

## Sync

sync-heading = Sincronización
sync-not-enrolled = Este dispositivo aún no está inscrito en el servidor de la organización. Nada sale del dispositivo hasta que lo esté.
sync-server = Dirección del servidor
sync-code = Código de inscripción
sync-enrol = Inscribir este dispositivo
sync-enrolled = Dispositivo inscrito.
sync-connected = Conectado a { $server } (equipo { $team }).
sync-now = Sincronizar
sync-running = Sincronizando…
sync-progress = Enviados { $sent } de { $total } · { $kb } KB
sync-report = Listo: { $sent } cambios enviados ({ $kb } KB), { $received ->
        [one] 1 novedad recibida
       *[other] { $received } novedades recibidas
    }.
sync-held = { $held } cambios se quedan en el dispositivo porque falta el consentimiento.
sync-conflicts = Hay { $conflicts } datos cambiados a la vez en dos lugares: revísalos antes de seguir.
error-not-enrolled = Este dispositivo no está inscrito en un servidor.
error-offline = No se pudo llegar al servidor. Nada se perdió: vuelve a intentarlo cuando haya conexión.
error-refused = El servidor rechazó la solicitud ({ $reason }). Nada se perdió.
error-revoked = La organización retiró este dispositivo: su bóveda se borró.
outbox-held = espera consentimiento
outbox-waiting = pendiente de enviar
conflict-theirs = En el servidor
conflict-ours = En este dispositivo
conflict-resolved = Revisado
conflict-hint = Dos personas cambiaron el mismo dato. Decide con tu equipo cuál vale, corrige el caso si hace falta y marca el conflicto como revisado.
incoming-heading = Derivaciones recibidas por tu organización
incoming-none = No hay derivaciones para tu organización.
error-key-grant-unreadable = La copia de la clave de tu organización para este dispositivo no se puede abrir. Pide a la persona administradora que la vuelva a conceder. Nada sale sin sellar: lo que necesita la clave espera en este dispositivo.
error-export-failed = No se pudo escribir el archivo (¿memoria USB llena o retirada?). Nada cambió: los cambios siguen pendientes. Prueba otra vez u otra memoria.
sync-content-available = Hay una versión más nueva del contenido (versión { $version }). Pide el paquete a tu organización para tener al día el directorio y la información de derechos.
sync-export = Exportar a un archivo (USB)
sync-exported = Se guardaron { $ops } cambios cifrados en { $file }. Llévalo a la oficina: el servidor los importa sin duplicar nada y se confirman en la próxima sincronización.
sync-export-none = No hay cambios listos para exportar.
outbox-sent = enviado
outbox-failed = no se pudo enviar ({ $reason })
outbox-failed-offline = no se pudo enviar: sin conexión
outbox-exported = en un archivo USB; se confirmará al sincronizar
outbox-conflict = en conflicto: revisar
incoming-summary-no-organisation-key = El resumen está cifrado para tu organización y este dispositivo aún no tiene su clave. Pide a la persona administradora que la conceda.
incoming-summary-withheld = Esta derivación llegó sin resumen. Pregunta al equipo que la envió; no le pidas a la niña, niño o adolescente que cuente su historia otra vez.
incoming-summary-unreadable = El resumen está dañado y no se puede abrir. Pide al equipo que lo envió que lo revise.

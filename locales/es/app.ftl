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
start-public-door-hint = Para niñas, niños, adolescentes y familias en camino. Sin cuenta y sin dejar rastro.
start-staff-door = Personal
start-staff-door-hint = Para el equipo humanitario. Se abre con tu PIN.

## Lado público

public-heading = Información y derechos
public-intro = Aquí vas a encontrar tus derechos, consejos para el camino y dónde pedir ayuda, sin necesidad de internet.
public-no-content = Este dispositivo todavía no tiene instalado el paquete de información. Si necesitas ayuda ahora, acércate a una persona del equipo humanitario.
public-never-your-fault = Si alguien te hizo daño, no es tu culpa. Tienes derecho a recibir protección.

## Personal: crear la bóveda y abrirla

staff-create-heading = Primer uso: crea tu perfil
staff-create-intro = Este dispositivo aún no tiene bóveda. Quien la crea queda como responsable del dispositivo y puede añadir a sus colegas, cada una con su propio PIN.
staff-create-privacy = Los datos de niñas, niños y adolescentes se guardan cifrados en este dispositivo y solo se abren con un PIN del personal.
staff-name-label = Nombre
staff-pin-label = PIN (al menos 6 caracteres)
staff-pin-again-label = Repite el PIN
staff-create-submit = Crear la bóveda
staff-unlock-heading = Personal
staff-unlock-intro = Escribe tu PIN para abrir la bóveda.
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
error-pin-in-use = Otra persona ya usa ese PIN en este dispositivo. Elige otro.
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
error-consent-incomplete = El consentimiento no está completo: { $missing }.
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
content-source = Fuente: { $source }. Verificado el { $date }.
content-installed-heading = Contenido instalado
content-none-installed = No hay ningún paquete de contenido instalado.
content-pack-line = Paquete «{ $publisher }», versión { $version } (firma verificada)
content-checklist-line = Lista de verificación: { $title } (v{ $version }, { $questions } preguntas)

## Directorio de servicios

directory-heading = Directorio de servicios
directory-search-label = ¿Qué servicio buscas?
directory-search-placeholder = Por ejemplo: atención psicológica, alojamiento
directory-country = País
directory-any-country = Todos los países
directory-search = Buscar
directory-none-here = No hay ningún servicio que coincida en esta zona.
directory-nearest-elsewhere = Los más cercanos en otras zonas
directory-demo = Dato de demostración — verificar antes de usar
directory-call = Llamar al { $number }
directory-undocumented = Atiende a personas sin documentos
directory-adolescent-mothers = Acepta madres adolescentes con su bebé
directory-unaccompanied = Atiende a menores no acompañados
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

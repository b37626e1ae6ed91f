# keytrust: llaves que el servidor no puede falsificar, y entrega de la llave aprobada por una persona.
error-organisation-not-pinned = Este dispositivo se inscribió sin la huella de la llave de tu organización, así que no puede confiar en ninguna llave. No salió nada: pide a la persona administradora un código con huella y vuelve a inscribirlo.
error-admin-key-mismatch = La llave que da el servidor no coincide con la huella del código de inscripción. No se inscribió: avisa a la persona administradora.
error-organisation-key-unverified = La llave de tu organización no tiene una firma válida de su administración. No se cifró ni se envió nada: los cambios esperan en el dispositivo.
error-receiver-key-unverified = La llave de quien recibe las derivaciones de { $service } cambió y no se pudo verificar. No se envió nada a esa llave: los cambios esperan en el dispositivo. Avisa a la persona administradora.
error-awaiting-organisation-key = Este dispositivo espera que alguien de tu organización le entregue la llave. Muestra esta huella a esa persona: { $fingerprint }. Los cambios esperan en el dispositivo.
error-key-grant-mismatch = La llave que llegó para este dispositivo no es la que firmó tu organización. No se guardó: pide a la persona administradora que la entregue de nuevo.
error-weak-key = La llave recibida es débil (de orden bajo): cualquiera podría leer lo cifrado con ella. No se usó y no se envió nada.
error-sender-unverified = Este resumen no viene de un dispositivo aprobado por una organización de confianza. No se abrió.
error-hand-over-fingerprint-mismatch = La huella ya no coincide con la del dispositivo que revisaste. No se entregó la llave.
error-hand-over-not-waiting = Ese dispositivo ya no espera la llave. No se entregó nada.
keytrust-heading = Entregar la llave de la organización
keytrust-intro = Estos dispositivos de tu organización esperan la llave que abre los casos. Entrégala solo si tienes el dispositivo delante y muestra la misma huella.
keytrust-none = Ningún dispositivo espera la llave.
keytrust-device = { $name }
keytrust-fingerprint = Huella: { $fingerprint }
keytrust-check = Mira la pantalla del otro dispositivo: debe decir «Esperando la llave: { $fingerprint }».
keytrust-approve = Coincide: entregar la llave
keytrust-refuse = No coincide: rechazar
keytrust-approved = Llave entregada a { $name }.
keytrust-refused = Rechazado: { $name } no recibe la llave.
keytrust-waiting = Esperando la llave: { $fingerprint }
keytrust-waiting-help = Muestra esta huella a alguien de tu organización cuyo dispositivo ya tenga la llave. Hasta entonces, nada sale de este dispositivo.
keytrust-pending = { $count ->
    [one] Un dispositivo espera la llave.
   *[other] { $count } dispositivos esperan la llave.
}
keytrust-open = Revisar
incoming-summary-sender-unverified = El resumen no viene de un dispositivo aprobado: no se abrió.
keytrust-refused-keys = { $count ->
    [one] El servidor ofreció una llave que no se pudo verificar. No se cifró nada para ella. Avisa a la persona administradora.
   *[other] El servidor ofreció { $count } llaves que no se pudieron verificar. No se cifró nada para ellas. Avisa a la persona administradora.
}

# Sellado de los registros (issue #11): mensajes nuevos de la rama sealing.
error-no-organisation-key = Este dispositivo aún no tiene la clave de tu organización, así que no se envió nada: los cambios esperan aquí, sin salir legibles. La recibe cuando alguien de tu organización, con la llave en su dispositivo, compara la huella que muestra esta pantalla y aprueba la entrega (o la persona administradora).
error-organisation-key-mismatch = La clave que el servidor entregó a este dispositivo no es la de tu organización. No se guardó y no se envió nada: avisa a la persona administradora.
error-bad-recipient-key = Una clave a la que había que sellar datos no es válida. No se envió nada: los cambios siguen pendientes. Avisa a la persona administradora.
error-unsealed-field = El servidor rechazó un cambio que llevaba un dato sin sellar. No se guardó nada: actualiza Senda en este dispositivo.
outbox-waiting-key = Esperando la clave de la organización para salir sellado

# Rechazos del servidor por sus límites contra abusos (issue #12). En ninguno se pierde nada: los registros siguen en este dispositivo.
error-refused-over-limit = El servidor rechazó un cambio más grande o más anidado de lo que Senda hace nunca. No se perdió nada; actualiza Senda en este dispositivo y avisa a la administración.
error-refused-bad-operation = El servidor rechazó un cambio con una forma que Senda nunca hace. No se perdió nada; actualiza Senda en este dispositivo y avisa a la administración.
error-refused-quota-exceeded = Este dispositivo ya guardó en el servidor todo lo que se permite a un dispositivo. No se perdió nada: los registros esperan aquí. Avisa a la administración.
error-refused-too-many-waiting = Demasiados cambios de este dispositivo esperan en el servidor a otros anteriores que nunca llegaron. No se perdió nada: los registros esperan aquí. Avisa a la administración.

# La bóveda: quién abre, reglas del PIN, personal (rama vault).

staff-who-heading = ¿Quién eres?
staff-who-intro = Elige tu nombre y luego escribe tu PIN.
staff-who-unnamed = Perfil { $n }
staff-pin-for = PIN de { $label }
staff-not-me = No soy yo
staff-pin-rule = Al menos { $min } caracteres.
staff-pin-rule-digits = Al menos { $min } cifras, solo números.
staff-label-label = Nombre en la pantalla de desbloqueo
staff-label-hint = Cualquiera que tenga el dispositivo lo ve: usa un nombre de pila, un apodo o iniciales. Si lo dejas vacío, se usa la primera palabra del nombre.
staff-add-owner-only = Solo la persona responsable del dispositivo añade o quita personal.
staff-remove = Quitar
staff-remove-confirm = ¿Quitar a { $name }? Su PIN dejará de abrir este dispositivo. Lo que hizo sigue en el registro.
staff-remove-yes = Sí, quitar
staff-remove-no = Cancelar
staff-removed = Se quitó a { $name }. Su PIN ya no abre este dispositivo.

error-pin-digits-only = La organización pide un PIN solo de números.
error-no-such-staff = Esa persona ya no está en la lista de este dispositivo. Elige otra vez.
error-label-in-use = Otra persona ya aparece con ese nombre en la pantalla de desbloqueo. Elige otro.
error-foreign-item = El paquete intenta cambiar contenido de otra editorial («{ $owner }»). No se instaló nada.

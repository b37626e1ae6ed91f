# O cofre: quem abre, regras do PIN, equipe (ramo vault).

staff-who-heading = Quem é você?
staff-who-intro = Escolha seu nome e depois digite seu PIN.
staff-who-unnamed = Perfil { $n }
staff-pin-for = PIN de { $label }
staff-not-me = Não sou eu
staff-pin-rule = Pelo menos { $min } caracteres.
staff-pin-rule-digits = Pelo menos { $min } algarismos, só números.
staff-label-label = Nome na tela de desbloqueio
staff-label-hint = Qualquer pessoa com o dispositivo pode vê-lo: use um primeiro nome, um apelido ou iniciais. Se ficar vazio, usa-se a primeira palavra do nome.
staff-add-owner-only = Só a pessoa responsável pelo dispositivo adiciona ou remove pessoas da equipe.
staff-remove = Remover
staff-remove-confirm = Remover { $name }? O PIN dessa pessoa deixará de abrir este dispositivo. O que ela fez continua no registro.
staff-remove-yes = Sim, remover
staff-remove-no = Cancelar
staff-removed = { $name } foi removida. O PIN dela já não abre este dispositivo.

error-pin-digits-only = A organização pede um PIN só de números.
error-no-such-staff = Essa pessoa já não está na lista deste dispositivo. Escolha de novo.
error-label-in-use = Outra pessoa já aparece com esse nome na tela de desbloqueio. Escolha outro.
error-foreign-item = O pacote tenta mudar conteúdo de outra editora («{ $owner }»). Nada foi instalado.

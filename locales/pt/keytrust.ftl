# keytrust: chaves que o servidor não pode falsificar, e entrega da chave aprovada por uma pessoa.
error-organisation-not-pinned = Este dispositivo foi inscrito sem a impressão digital da chave da sua organização, então não pode confiar em nenhuma chave. Nada saiu: peça à pessoa administradora um código com impressão digital e inscreva-o de novo.
error-admin-key-mismatch = A chave que o servidor dá não coincide com a impressão digital do código de inscrição. O dispositivo não foi inscrito: avise a pessoa administradora.
error-organisation-key-unverified = A chave da sua organização não tem uma assinatura válida da administração. Nada foi cifrado nem enviado: as alterações esperam no dispositivo.
error-receiver-key-unverified = A chave de quem recebe os encaminhamentos de { $service } mudou e não pôde ser verificada. Nada foi enviado para essa chave: as alterações esperam no dispositivo. Avise a pessoa administradora.
error-awaiting-organisation-key = Este dispositivo espera que alguém da sua organização lhe entregue a chave. Mostre esta impressão digital a essa pessoa: { $fingerprint }. As alterações esperam no dispositivo.
error-key-grant-mismatch = A chave que chegou para este dispositivo não é a que a sua organização assinou. Não foi guardada: peça à pessoa administradora que a entregue de novo.
error-weak-key = A chave recebida é fraca (de ordem baixa): qualquer pessoa poderia ler o que for cifrado com ela. Não foi usada e nada foi enviado.
error-sender-unverified = Este resumo não vem de um dispositivo aprovado por uma organização de confiança. Não foi aberto.
error-hand-over-fingerprint-mismatch = A impressão digital já não coincide com a do dispositivo que você verificou. A chave não foi entregue.
error-hand-over-not-waiting = Esse dispositivo já não espera a chave. Nada foi entregue.
keytrust-heading = Entregar a chave da organização
keytrust-intro = Estes dispositivos da sua organização esperam a chave que abre os casos. Entregue-a só se tiver o dispositivo à sua frente e ele mostrar a mesma impressão digital.
keytrust-none = Nenhum dispositivo espera a chave.
keytrust-device = { $name }
keytrust-fingerprint = Impressão digital: { $fingerprint }
keytrust-check = Olhe a tela do outro dispositivo: deve dizer «Esperando a chave: { $fingerprint }».
keytrust-approve = Coincide: entregar a chave
keytrust-refuse = Não coincide: recusar
keytrust-approved = Chave entregue a { $name }.
keytrust-refused = Recusado: { $name } não recebe a chave.
keytrust-waiting = Esperando a chave: { $fingerprint }
keytrust-waiting-help = Mostre esta impressão digital a alguém da sua organização cujo dispositivo já tenha a chave. Até lá, nada sai deste dispositivo.
keytrust-pending = { $count ->
    [one] Um dispositivo espera a chave.
   *[other] { $count } dispositivos esperam a chave.
}
keytrust-open = Revisar
incoming-summary-sender-unverified = O resumo não vem de um dispositivo aprovado: não foi aberto.
keytrust-refused-keys = { $count ->
    [one] O servidor ofereceu uma chave que não pôde ser verificada. Nada foi cifrado para ela. Avise a pessoa administradora.
   *[other] O servidor ofereceu { $count } chaves que não puderam ser verificadas. Nada foi cifrado para elas. Avise a pessoa administradora.
}

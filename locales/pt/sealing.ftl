# Registros selados (issue #11): mensagens novas do ramo sealing.
error-no-organisation-key = Este dispositivo ainda não tem a chave da sua organização, por isso nada foi enviado: as alterações esperam aqui, sem sair legíveis. Ele recebe a chave quando alguém da sua organização, com a chave no dispositivo, compara a impressão digital que esta tela mostra e aprova a entrega (ou a pessoa administradora).
error-organisation-key-mismatch = A chave que o servidor entregou a este dispositivo não é a da sua organização. Não foi guardada e nada foi enviado: avise a pessoa administradora.
error-bad-recipient-key = Uma chave para a qual os dados deviam ser selados não é válida. Nada foi enviado: as alterações continuam pendentes. Avise a pessoa administradora.
error-unsealed-field = O servidor recusou uma alteração que levava um dado sem selar. Nada foi guardado: atualize o Senda neste dispositivo.
outbox-waiting-key = Aguardando a chave da organização para sair selado

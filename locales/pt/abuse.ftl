# Recusas do servidor pelos seus limites contra abusos (issue #12). Em nenhuma se perde nada: os registros continuam neste dispositivo.
error-refused-over-limit = O servidor recusou uma alteração maior ou mais aninhada do que o Senda jamais faz. Nada foi perdido; atualize o Senda neste dispositivo e avise a administração.
error-refused-bad-operation = O servidor recusou uma alteração com uma forma que o Senda nunca faz. Nada foi perdido; atualize o Senda neste dispositivo e avise a administração.
error-refused-quota-exceeded = Este dispositivo já guardou no servidor tudo o que se permite a um dispositivo. Nada foi perdido: os registros esperam aqui. Avise a administração.
error-refused-too-many-waiting = Alterações demais deste dispositivo esperam no servidor por outras anteriores que nunca chegaram. Nada foi perdido: os registros esperam aqui. Avise a administração.

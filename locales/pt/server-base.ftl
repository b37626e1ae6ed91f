# Sync transport refusals (server-base). Nothing is lost in any of them.
error-insecure-server-url = Este endereço não é seguro: use um que comece com https:// (http:// só serve para um servidor neste mesmo computador). Nada foi enviado.
error-redirected = O servidor tentou enviar os dados para outro endereço e o Senda não o seguiu. Nada mais foi enviado; os registros continuam esperando.
error-answer-too-large = A resposta do servidor era grande demais e não foi lida. Nada se perdeu: os registros continuam esperando.
error-unsigned-answer = A resposta não vinha assinada pelo servidor em que este dispositivo foi inscrito. Nada foi marcado como enviado nem apagado; os registros continuam esperando.
error-no-server-key = Este dispositivo não tem a chave de assinatura do servidor. Inscreva-o de novo com um código novo; nada se perdeu.

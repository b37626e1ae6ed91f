## Console web do Senda (senda-server, /console/). Português.

console-title = Console do Senda
console-language = Idioma
console-nav = Seções do console
console-nav-organisations = Organizações
console-nav-accounts = Contas de administração
console-nav-content = Conteúdo
console-nav-stats = Estatísticas
console-nav-audit = Registro de ações
console-nav-overview = Resumo
console-nav-staff = Equipe e códigos
console-nav-devices = Dispositivos
console-nav-routes = Rotas de serviços
console-nav-keys = Chaves
console-nav-referrals = Encaminhamentos
console-logout = Sair
console-back-home = Voltar ao início do console
console-refused-heading = Não foi possível fazer isso
console-save = Salvar
console-create = Criar
console-search = Buscar
console-show = Mostrar
console-none = Nenhum.
console-all = Todas
console-actions = Ações
console-name = Nome
console-team = Equipe
console-state = Situação
console-active = Ativa
console-deactivated = Desativada
console-deactivate = Desativar
console-organisation = Organização
console-count = Quantidade
console-total = Total
console-status = Situação
console-service = Serviço
console-receiver = Organização receptora
console-code = Código
console-since = Desde
console-never = Nunca
console-staff = Pessoa
console-device = Dispositivo

## Entrar

console-login-heading = Entrar no console
console-login-intro = Para administradores do Senda. O console nunca mostra dados de crianças ou adolescentes.
console-login-name = Usuário
console-login-name-hint = De 3 a 40 letras minúsculas, algarismos, ponto, hífen ou sublinhado.
console-password = Senha
console-login-submit = Entrar
console-password-heading = Escolha sua senha
console-password-intro = A senha de uso único não vale mais. Escolha uma nova com pelo menos { $min } caracteres; uma frase longa é mais fácil de lembrar.
console-password-new = Nova senha
console-password-repeat = Repita a nova senha
console-totp-heading = Segundo fator
console-totp-intro = Digite o código de seis algarismos que seu aplicativo autenticador mostra.
console-totp-setup-intro = Contas de administração do servidor precisam de um segundo fator. Escaneie este código QR com um aplicativo autenticador (por exemplo FreeOTP ou Aegis) e digite o código que ele mostrar.
console-totp-qr = Código QR para o aplicativo autenticador
console-totp-secret = Se não conseguir escanear, digite esta chave:
console-totp-code = Código de seis algarismos
console-totp-submit = Verificar
console-totp-on = Ativado
console-totp-off = Não ativado
console-totp-enable = Ativar o segundo fator
console-account-heading = Minha conta
console-role = Função
console-role-server = Administração do servidor (todas as organizações)
console-role-organisation = Administração de uma organização

## Servidor

console-organisations-caption = Organizações deste servidor
console-organisation-new = Nova organização
console-key = Chave da organização
console-key-set = Chave registrada
console-key-missing = Ainda sem chave
console-accounts-caption = Contas que podem entrar neste console
console-account-new = Nova conta de administração
console-account-created = Conta criada
console-one-time-password = Senha de uso único
console-one-time-password-hint = Entregue-a pessoalmente. Só aparece agora e deve ser trocada no primeiro acesso.
console-audit-intro = Quem fez o quê e quando. Aqui ficam só identificadores e códigos, nunca dados de uma criança.
console-audit-caption = Ações de administração, as mais recentes primeiro
console-when = Quando
console-who = Quem
console-what = O quê
console-subject = Sobre
console-content-intro = Avisa todos os dispositivos, na próxima sincronização, de que há uma versão nova do pacote de conteúdo.
console-content-versions-unknown = Nenhum dispositivo ativo informou ainda qual versão tem instalada; cada um informa ao final de cada sincronização.
console-content-publisher = Editor do pacote
console-content-version = Versão (número inteiro)
console-content-announce = Anunciar a versão

## Uma organização

console-devices-active = dispositivos ativos
console-referrals-total = encaminhamentos
console-referrals-by-status = Encaminhamentos por situação
console-referrals-by-receiver = Encaminhamentos por organização receptora
console-staff-caption = Equipe da organização
console-staff-new = Adicionar uma pessoa
console-staff-add = Adicionar
console-deactivate-hint = Desativar alguém que saiu revoga todos os seus dispositivos: eles se apagam na próxima conexão.
console-code-make = Criar código de inscrição
console-code-for = Criar código de inscrição para
console-code-team = Código de inscrição para uma equipe
console-code-days = Válido por (dias)
console-code-made = Código de inscrição
console-code-expires = Funciona uma única vez e expira em { $days } dias ({ $date } UTC).
console-code-qr = Código QR com o endereço do servidor e o código de inscrição
console-code-once = Anote ou escaneie agora: o servidor guarda só uma impressão do código e não pode mostrá-lo de novo.
console-devices-caption = Dispositivos da organização
console-last-sync = Última conexão
console-held = Em espera
console-key-granted = Recebeu a chave
console-key-waiting = Aguarda a chave
console-revoked = Revogado
console-revoke = Revogar
console-revoke-hint = Um dispositivo revogado se apaga na próxima conexão com o servidor.
console-routes-intro = O servidor não guarda o diretório do pacote de conteúdo. Aqui estão os serviços que já têm rota e os que receberam encaminhamentos sem organização receptora; você também pode digitar o identificador de um serviço do diretório.
console-routes-search = Buscar um serviço pelo identificador
console-routes-unrouted = Serviços sem organização receptora
console-routes-unrouted-hint = Os encaminhamentos para esses serviços só viajam em papel.
console-routes-referrals = { $count ->
    [one] { $count } encaminhamento
   *[other] { $count } encaminhamentos
}
console-routes-routed = Serviços com organização receptora
console-route-new = Atribuir um serviço a uma organização receptora
console-service-hint = O identificador do serviço no diretório, por exemplo svc-legal-rumichaca.
console-route-submit = Atribuir
console-keys-intro = A chave da organização sela cada dado que sai dos seus dispositivos e os resumos de encaminhamento. O servidor guarda só as chaves públicas, assinadas pela chave de administração; as secretas nunca passam por este console.
console-key-fingerprint = Impressão da chave de administração (a que os dispositivos fixam ao se inscrever)
console-key-serial = Chave de selagem em uso (número)
console-key-granted-count = Dispositivos que receberam a chave
console-key-waiting-count = Dispositivos que aguardam a chave
console-keys-how = Para criar as chaves: senda-server admin org-key ORGANIZAÇÃO ARQUIVO num computador de confiança. Para trocar a chave de selagem: o mesmo comando com --rotate; o que foi selado antes continua abrindo.
console-keys-waiting-how = Ninguém recebe a chave sem a aprovação de uma pessoa: compare a impressão que o dispositivo novo mostra e aprove-o num dispositivo que já tenha a chave, ou com senda-server admin grant-keys ARQUIVO IMPRESSÃO.
console-referrals-intro = Quantidades sem arredondar para o acompanhamento interno. Para informar fora da organização, use Estatísticas.
console-no-receiver = Sem receptora no Senda
console-overdue-heading = Encaminhamentos não recebidos ou não aceitos há mais de { $days } dias
console-overdue-days = Dias sem avanço
console-overdue-caption = Encaminhamentos atrasados: código, serviço, data e situação

## Situações de um encaminhamento

console-status-draft = Rascunho
console-status-queued = Na fila
console-status-sent = Enviado
console-status-received = Recebido
console-status-accepted = Aceito
console-status-declined = Recusado
console-status-first-contact = Primeiro contato
console-status-service-provided = Serviço prestado
console-status-closed = Encerrado
console-status-withdrawn = Consentimento retirado
console-status-revoked = Cancelado

## Estatísticas

console-stats-intro = Números para relatar sem expor ninguém: toda quantidade de 1 a { $max } aparece como «<{ $k }», e outra célula é ocultada onde um total a revelaria.
console-period = Período (mês)
console-audience = Para quem
console-audience-internal = Equipe da organização («<5»)
console-audience-external = Fora da organização («<11», arredondado a 5)
console-stats-legend-small = «<{ $k }»: de 1 a { $max }.
console-stats-legend-complement = «*»: oculto para que um total não revele um número pequeno.
console-stats-legend-rounded = Os números visíveis estão arredondados ao múltiplo de 5 mais próximo.
console-stats-by-status = Encaminhamentos por situação e organização receptora
console-stats-chart-status = Encaminhamentos por situação (números ocultos não têm barra)
console-stats-services = Serviços mais encaminhados
console-stats-referrals = Encaminhamentos
console-stats-csv = Baixar CSV (como mostrado)
console-stats-screenings = Avaliações por nível de risco, país, semana e idade
console-stats-screenings-pending = Aparecerão quando os dispositivos enviarem os campos gerais das avaliações (país, semana ISO, nível de risco, faixa etária); os dados de cada caso nunca chegam ao servidor.

console-country = País
console-risk = Nível de risco
console-week = Semana ISO
console-stats-by-risk = Avaliações por nível de risco e faixa etária
console-stats-by-week = Avaliações por semana e país
console-stats-referral-filters = O filtro de país vale para as avaliações; os encaminhamentos são filtrados por organização e mês (o mês da última mudança).
console-unknown = Sem dado
console-risk-immediate = Imediato
console-risk-high = Alto
console-risk-medium = Médio
console-risk-insufficient = Sem informação suficiente
console-risk-low = Baixo
console-risk-unknown = Não determinado

## Avisos

console-done-organisation-created = Organização criada.
console-done-account-deactivated = Conta desativada; suas sessões foram encerradas.
console-done-content-announced = Versão anunciada a todas as organizações.
console-done-staff-added = Pessoa adicionada.
console-done-staff-deactivated = Pessoa desativada; na próxima sincronização cada um dos seus dispositivos envia o que está pronto para enviar e depois se apaga.
console-done-device-revoked = Dispositivo revogado: ele se apaga na próxima conexão.
console-done-service-routed = Serviço atribuído.

## Registro de ações

console-action-login = Entrou no console
console-action-password-changed = Trocou sua senha
console-action-totp-enabled = Ativou o segundo fator
console-action-organisation-created = Criou uma organização
console-action-account-created = Criou uma conta de administração
console-action-account-deactivated = Desativou uma conta de administração
console-action-content-announced = Anunciou uma versão de conteúdo
console-action-staff-added = Adicionou uma pessoa
console-action-staff-deactivated = Desativou uma pessoa
console-action-code-made = Criou um código de inscrição
console-action-device-revoked = Revogou um dispositivo
console-action-service-routed = Atribuiu um serviço
console-action-stats-exported = Baixou estatísticas

## Erros

console-error-login = Usuário ou senha incorretos.
console-error-locked = Tentativas demais sem sucesso. Espere 15 minutos e tente de novo.
console-error-deactivated = Esta conta foi desativada.
console-error-session = Sua sessão terminou ou não existe. Entre de novo.
console-error-csrf = O formulário expirou ou não veio deste console. Recarregue a página e tente de novo.
console-error-forbidden = Sua conta não pode ver nem mudar isto.
console-error-not-found = Não existe.
console-error-unavailable = O servidor não conseguiu gravar nem ler os dados agora. Tente de novo em instantes.
console-error-password-mismatch = As duas senhas não são iguais.
console-error-password-short = A senha deve ter de 12 a 200 caracteres.
console-error-password-login = A senha não pode conter seu usuário.
console-error-password-wrong = Escolha uma senha diferente da de uso único.
console-error-totp = Esse código está errado ou já foi usado. Espere o próximo código.
console-error-name = Digite um nome de 1 a 120 caracteres.
console-error-team = Digite uma equipe de 1 a 60 caracteres.
console-error-days = Escolha de 1 a 90 dias.
console-error-login-name = O usuário deve ter de 3 a 40 letras minúsculas, algarismos, ponto, hífen ou sublinhado.
console-error-login-taken = Já existe uma conta com esse usuário.
console-error-organisation = Essa organização não existe.
console-error-service = O identificador do serviço deve ter de 1 a 100 letras minúsculas, algarismos, ponto, dois-pontos, hífen ou sublinhado.
console-error-route-taken = Outra organização já recebe os encaminhamentos para esse serviço. Só a administração do servidor pode mudar isso.
console-error-no-organisation-key = A organização receptora precisa registrar sua chave antes de receber encaminhamentos.
console-error-version = A versão deve ser um número inteiro maior que zero.
console-error-publisher = Digite o editor do pacote (de 1 a 80 caracteres).
console-error-filter = Esse filtro não é uma das opções oferecidas.
console-error-staff-deactivated = Essa pessoa foi desativada: não pode mais inscrever dispositivos.
console-error-no-such-device = Não há um dispositivo ativo com esse identificador.

## Session 6: settings sent to devices, what devices report, time to acceptance
console-devices-reported = Cada dispositivo informa ao final de cada sincronização as versões do aplicativo e do conteúdo, suas operações pendentes e em espera, e o número de entradas e o último hash do seu registro de auditoria. Um registro com menos entradas do que antes é sinalizado: pode ter sido truncado.
console-versions = Versões
console-pending = Pendentes
console-audit-log = Registro de auditoria
console-app-version = Aplicativo { $version }
console-content-version-n = Conteúdo v{ $version }
console-content-none = Sem conteúdo
console-audit-entries = { $count } entradas
console-audit-dropped = Registro mais curto ou reescrito ({ $at })
console-not-reported = Ainda não informou (informa ao sincronizar).
console-content-running = Versões nos dispositivos ativos
console-nav-settings = Configurações
console-settings-intro = Estas configurações chegam aos dispositivos da organização na próxima sincronização.
console-settings-retention = Período de retenção
console-settings-retention-hint = Quantos dias um caso é mantido após sua última alteração, no servidor e nos dispositivos, quando não tem encaminhamentos abertos.
console-settings-retention-days = Dias (de 1 a 365)
console-settings-retention-unset = Não definido: o servidor mantém os casos até que o consentimento seja retirado, e cada dispositivo usa seu próprio período.
console-settings-pin = Política de PIN
console-settings-pin-hint = Aplica-se a cada PIN criado ou alterado nos dispositivos a partir da próxima sincronização; os PINs atuais continuam válidos. Comprimento mínimo de { $floor } a { $ceiling }.
console-settings-pin-length = Comprimento mínimo
console-settings-pin-letters = Letras permitidas (senão, só números)
console-settings-pin-unset = Não definida: os dispositivos usam a política padrão.
console-done-retention-set = Período de retenção salvo; chega aos dispositivos na próxima sincronização.
console-done-pin-policy-set = Política de PIN salva; chega aos dispositivos na próxima sincronização.
console-action-retention-set = Definiu o período de retenção
console-action-pin-policy-set = Definiu a política de PIN
console-error-retention = O período de retenção deve ser um número inteiro de dias, de 1 a 365.
console-error-pin-length = O comprimento mínimo do PIN deve ser um número inteiro de 6 a 64.
console-error-pin-letters = Marque ou desmarque «Letras permitidas»; o valor enviado não foi entendido.
console-stats-acceptance = Tempo até a aceitação
console-stats-acceptance-hint = Encaminhamentos aceitos, por dias entre o envio e a aceitação, e por organização receptora. Só contam os enviados e aceitos desde que o servidor registra essas datas.
console-stats-acceptance-none = Ainda não há encaminhamentos aceitos com datas registradas.
console-stats-days = Dias até aceitar
console-accept-band-0-1 = 0 a 1 dia
console-accept-band-2-7 = 2 a 7 dias
console-accept-band-8-14 = 8 a 14 dias
console-accept-band-15-30 = 15 a 30 dias
console-accept-band-31-more = 31 dias ou mais
console-held-here = { $count } a mais esperam aqui sua base

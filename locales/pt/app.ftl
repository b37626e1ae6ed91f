## Senda — português.

app-title = Senda
nav-home = Início do Senda
language-label = Idioma
language-name = Português
working = Um momento…
back = Voltar

## Tela inicial

start-heading = Do que você precisa hoje?
start-public-door = Informação e direitos
start-public-door-hint = Para crianças, adolescentes e famílias em deslocamento. Sem conta. O que você lê e busca aqui não é salvo.
start-staff-door = Equipe
start-staff-door-hint = Para a equipe humanitária. Abre com o seu PIN.

## Lado público

public-heading = Informação e direitos
public-intro = Aqui estão os seus direitos, conselhos para o caminho e onde pedir ajuda. Funciona sem internet.
public-no-content = Ainda não há nada para ler aqui. Se precisar de ajuda agora, fale com uma pessoa da equipe que te atende.
public-never-your-fault = Se alguém te fez mal, a culpa não é sua. Você tem direito à proteção.

## Equipe: criar e abrir o cofre

staff-create-heading = Primeiro uso: crie o seu perfil
staff-create-intro = Este dispositivo ainda não tem cofre. Quem o cria fica como responsável pelo dispositivo e pode adicionar colegas, cada uma com o seu próprio PIN.
staff-create-privacy = Os dados de crianças e adolescentes ficam cifrados neste dispositivo e só abrem com um PIN da equipe.
staff-name-label = Nome
staff-pin-label = PIN
staff-pin-again-label = Repita o PIN
staff-create-submit = Criar o cofre
staff-unlock-heading = Equipe
staff-unlock-submit = Abrir
staff-auto-locked = O cofre se bloqueou porque ficou um tempo sem uso. Os seus dados estão guardados.

## Equipe: início

home-greeting = Olá, { $name }
home-lock = Bloquear
home-vault-note = O cofre está aberto. Ele se bloqueia sozinho após { $minutes ->
        [one] 1 minuto
       *[other] { $minutes } minutos
    } sem uso.
role-owner = Responsável pelo dispositivo
role-staff = Equipe
change-pin-heading = Mudar o meu PIN
change-pin-current = PIN atual
change-pin-new = PIN novo
change-pin-submit = Mudar o PIN
change-pin-done = PIN alterado. Os dados continuam iguais.
staff-list-heading = Equipe neste dispositivo
add-staff-heading = Adicionar uma pessoa da equipe
add-staff-submit = Adicionar
add-staff-done = { $name } já pode abrir o cofre com o próprio PIN.
policy-heading = Bloqueio do dispositivo
policy-owner-only = Só a pessoa responsável pelo dispositivo pode mudar estes ajustes.
policy-auto-lock = Minutos sem uso antes de bloquear
policy-max-failed = Tentativas erradas antes do bloqueio longo
policy-wipe = Apagar o cofre quando as tentativas acabarem
policy-wipe-hint = Ative só se o dispositivo corre o risco de cair em mãos erradas: o que não foi sincronizado se perde.
policy-save = Salvar
policy-saved = Ajustes salvos.

## Erros

error-wrong-pin = PIN incorreto. { $attempts_left ->
        [one] Resta 1 tentativa antes do bloqueio.
       *[other] Restam { $attempts_left } tentativas antes do bloqueio.
    }
error-retry-later = Houve várias tentativas erradas. Espere { $retry_after_secs } segundos e tente de novo.
error-locked-out = Tentativas erradas demais: o dispositivo está bloqueado. Você poderá tentar de novo em { $minutes } minutos.
error-wiped = As tentativas acabaram e o cofre foi apagado, como a pessoa responsável pelo dispositivo tinha decidido.
error-locked = O cofre está bloqueado. Digite o seu PIN para continuar.
error-already-created = Este dispositivo já tem um cofre.
error-not-created = Este dispositivo ainda não tem um cofre.
error-pin-too-short = O PIN deve ter pelo menos { $min } caracteres.
error-pin-mismatch = Os dois PIN não coincidem.
error-name-required = Escreva um nome.
error-vault-missing = O arquivo do cofre não foi encontrado. Nada foi apagado: peça ajuda à equipe técnica.
error-corrupted = O arquivo do cofre está danificado. Nada foi apagado nem alterado: peça ajuda à equipe técnica antes de continuar.
error-schema-too-new = Uma versão mais nova do Senda escreveu este cofre. Atualize o aplicativo: os seus dados estão intactos.
error-disk-full = O dispositivo está sem espaço livre. A última alteração não foi salva; libere espaço e tente de novo.
error-not-permitted = Só a pessoa responsável pelo dispositivo pode fazer isso.
error-invalid-setting = Esse valor não é permitido.
error-storage = Não foi possível salvar. O que já estava salvo continua intacto.
error-audit-tampered = O registro de auditoria foi alterado (entrada { $seq }). Avise a pessoa responsável: nada foi apagado.
error-invalid-field = Verifique este dado: { $field }.
error-not-found = Esse registro não foi encontrado. Pode ter sido apagado ao fim do prazo de conservação.
error-invalid-answer = A resposta a «{ $question }» não é válida para essa pergunta. Nada desta seção foi salvo.
error-answers-missing = Faltam respostas. «Não sei» e «Prefere não dizer» também são respostas.
error-screening-complete = Esta triagem já está concluída e não pode ser alterada. Comece uma nova nesta visita.
error-checklist-not-installed = A lista de verificação desta triagem não está mais instalada.
error-checklist-changed = Esta triagem começou com a versão { $was } da lista e agora está instalada a { $now }. As respostas são mantidas; comece uma nova triagem.
error-consent-required = Falta registrar o consentimento para compartilhar isto. Nada saiu do dispositivo.
error-consent-incomplete = O consentimento não está completo: { $missing ->
    [child-agreement] falta marcar que a criança ou adolescente está de acordo
    [explanation] falta marcar cada ponto que foi explicado
    [language] falta o idioma da explicação
    [consenter-not-suspected] falta confirmar que a pessoa que também consentiu não é suspeita de fazer mal à criança
   *[other] { $missing }
    }.
error-override-reason-required = Escreva por que a lei obriga a informar sem consentimento (pelo menos 10 caracteres).
error-service-not-listed = O diretório instalado não inclui mais este serviço. Escolha outro; o encaminhamento continua como rascunho.
error-bad-transition = Um encaminhamento não pode passar de «{ $from }» para «{ $to }».
error-summary-not-reviewed = Revise o resumo com a criança ou adolescente e marque que aceitou antes de enviar.
error-unexpected = Algo deu errado. Tente de novo.

## Conteúdo

stage-before-leaving = Antes de sair
stage-on-the-road = No caminho
stage-on-arrival = Ao chegar
content-fallback-note = Este texto ainda não foi traduzido: aparece em espanhol.
content-source = Fonte: { $source }.
content-installed-heading = Conteúdo instalado
content-none-installed = Nenhum pacote de conteúdo está instalado.
content-pack-line = Pacote «{ $publisher }», versão { $version } (assinatura verificada)
content-checklist-line = Lista de verificação: { $title } (v{ $version }, { $questions } perguntas)

## Diretório de serviços

directory-heading = Diretório de serviços
directory-search-label = Que serviço você procura?
directory-search-placeholder = Por exemplo: abrigo, saúde, documentos, apoio psicológico
directory-country = País
directory-any-country = Todos os países
directory-search = Buscar
directory-none-here = Não há nenhum serviço que corresponda nesta região.
directory-nearest-elsewhere = Os mais próximos em outras regiões
directory-demo = Dado de teste: pode não ser real. Pergunte a uma equipe humanitária antes de ir ou ligar.
directory-call = Ligar para { $number }
directory-undocumented = Atende pessoas sem documentos
directory-adolescent-mothers = Aceita adolescentes com o bebê
directory-unaccompanied = Atende crianças e adolescentes que viajam sem a família
directory-yes = sim
directory-no = não
directory-unknown = não confirmado
country-co = Colômbia
country-pe = Peru
country-bo = Bolívia
country-ec = Equador

## Erros do conteúdo (pacotes assinados)

error-rollback = Este pacote de conteúdo (versão { $offered }) não é mais novo que o instalado (versão { $installed }). O conteúdo atual é mantido.
error-base-mismatch = Esta atualização é para outra versão do conteúdo. O conteúdo atual é mantido.
error-content-storage = Não foi possível ler ou salvar o conteúdo. O conteúdo instalado continua igual.
error-not-a-pack = Este arquivo não é um pacote de conteúdo do Senda. Nada foi instalado.
error-truncated = O pacote de conteúdo está incompleto. Nada foi instalado.
error-too-large = O pacote de conteúdo é grande demais. Nada foi instalado.
error-untrusted-publisher = Este dispositivo não reconhece quem publica este pacote ({ $publisher }). Nada foi instalado.
error-bad-signature = A assinatura do pacote não é válida: ele pode ter sido alterado. Nada foi instalado.
error-malformed = O pacote de conteúdo está danificado. Nada foi instalado.

## Casework

country-ve = Venezuela
country-ht = Haiti
country-cu = Cuba
country-cl = Chile
country-ar = Argentina
country-br = Brasil
next = Seguinte
save = Salvar
saved = Salvo.
confirm-again = Toque de novo para confirmar
back-to-case = Voltar ao caso
back-to-cases = Voltar aos casos
directory-distance = A { $km } km
cases-heading = Casos
cases-none = Ainda não há casos neste dispositivo.
case-new = Novo caso
outbox-counts = Alterações por sincronizar: { $pending } (delas, { $held } aguardam consentimento).
age-unknown = Idade desconhecida
age-years = { $years } anos
flag-nearing-18 = Faz 18 em breve
flag-nearing-18-long = Faz 18 anos por volta de { $date }. Os serviços para adultos são diferentes: planeje o encaminhamento a tempo.
flag-follow-up-due = Acompanhamento pendente
flag-follow-up-due-long = Há um acompanhamento previsto para { $date }.
level-none = Sem triagem
level-low = Risco baixo
level-medium = Risco médio
level-high = Risco alto
level-immediate = Risco imediato
case-new-heading = Abrir um caso
case-edit-heading = Editar o caso
case-edit = Editar dados
case-minimal-note = Registre só o necessário para ajudar. Nenhum dado é obrigatório além do nome ou apelido, e nenhum documento é pedido.
case-alias = Nome ou apelido
case-alias-hint = Como quer ser chamado. Não é preciso o nome completo.
case-age = Idade
case-age-unknown = Não se sabe
case-age-estimated = Estimada
case-age-birth-date = Data de nascimento
case-age-years = Anos (estimados)
case-birth-date = Data de nascimento
case-sex = Sexo
case-gender = Gênero
case-nationality = Nacionalidade
case-country = País onde está agora
case-languages = Idiomas (separados por vírgulas)
case-place = Lugar
case-place-none = Não registrado
case-travelling = Com quem viaja
case-helper = Prefere ser atendido por
case-has-documents = Tem documentos consigo?
case-with-baby = Viaja com o seu bebê?
case-present = Quem esteve presente na conversa
case-save = Salvar o caso
sex-female = Feminino
sex-male = Masculino
sex-intersex = Intersexo
sex-unknown = Não se sabe
sex-prefer-not-to-say = Prefere não dizer
gender-girl = Menina / mulher
gender-boy = Menino / homem
gender-non-binary = Não binário
gender-other = Outro
gender-unknown = Não se sabe
gender-prefer-not-to-say = Prefere não dizer
travelling-unaccompanied = Desacompanhado/a: sem mãe, pai nem familiar que cuide dela ou dele (também com amigos, com o parceiro ou com um adulto que não é da família)
travelling-separated-with-adult = Separado/a: sem a mãe nem o pai, com outro familiar
travelling-with-family = Com a mãe, o pai ou quem cuida habitualmente
travelling-unknown = Não se sabe
travelling-prefer-not-to-say = Prefere não dizer
present-nobody-else = Ninguém mais
present-interpreter = Intérprete
present-relative = Um familiar
present-accompanying-adult = O adulto que o acompanha
present-other-staff = Outra pessoa da equipe
present-other = Outra pessoa
helper-woman = Uma mulher
helper-man = Um homem
helper-no-preference = Tanto faz
helper-not-asked = Não perguntado
answer-yes = Sim
answer-no = Não
answer-unknown = Não sabe
answer-prefer-not-to-say = Prefere não dizer
screenings-heading = Triagens
screenings-none = Ainda não há triagens.
screening-start = Nova triagem
screening-checklist = Lista de verificação
screening-draft = Não concluída
screening-continue = Continuar
screening-see-result = Ver resultado
screening-visits-note = Contar leva tempo: em outra visita você pode fazer uma nova triagem. O histórico é mantido.
screening-step = Parte { $step } de { $of }
screening-said = O que conta
screening-observed = O que você observa
screening-observed-hint = Não se pergunta: anote só o que viu.
screening-next = Salvar e seguir
screening-finish = Salvar e ver o resultado
screening-previous = Parte anterior
screening-pause = Pausar (as respostas ficam salvas)
result-heading = Resultado da triagem
result-immediate-heading = Perigo imediato: aja agora
result-immediate-lead = Ligue primeiro para a linha de emergência ou de proteção do país. Não deixe a criança ou adolescente sozinha.
result-level-explain = Pontuação { $score }. O nível vem dos indicadores presentes; o que não foi dito nunca conta como «sem risco».
result-red-flags-not-assessed = Sinais graves ainda não avaliados (não se sabe ou não disse). Volte a eles com cuidado:
result-indicators = Indicadores presentes
result-no-indicators = Nenhum indicador presente com o que se sabe hoje.
result-red-flag = sinal grave
result-not-assessed = { $count } indicadores ficaram sem avaliação.
result-actions = O que fazer
result-refer = Encaminhar a um serviço
referrals-heading = Encaminhamentos
referrals-none = Ainda não há encaminhamentos.
referral-new = Novo encaminhamento
referral-slip = Ficha de encaminhamento
referral-queue = Colocar na fila de envio
referral-revoke = Anular
referral-choose-heading = Escolher um serviço
referral-choose-note = Serviços do diretório que respondem ao que foi encontrado, perto e para a idade e situação. A polícia e a migração nunca são propostas.
referral-none-nearby = Não há nenhum serviço deste tipo perto para a idade e situação.
referral-choose = Escolher este serviço
summary-heading = Resumo para contar uma só vez
summary-note = Leia com a criança ou adolescente. { $service } vai recebê-lo para não ter que perguntar tudo de novo. Sempre vão o nível de risco, o que foi encontrado, as necessidades e a nota prática; os dados pessoais abaixo só vão se você marcá-los.
summary-level = Nível de risco
summary-indicators = O que foi encontrado
summary-needs = Necessidades
summary-shared = Dados para compartilhar, se aceitar
summary-shared-hint = Nenhuma caixa vem marcada. Marque só os dados que a criança ou adolescente aceitar compartilhar: desta lista, só vai o que estiver marcado.
summary-note-label = Nota prática para o serviço
summary-note-hint = Necessidades e próximos passos, em poucas palavras. Não escreva o que aconteceu.
summary-reviewed = Revisei com a criança ou adolescente, que diz que o resumo está correto.
shared-alias = Nome ou apelido
shared-age = Idade
shared-gender = Gênero
shared-nationality = Nacionalidade
shared-languages = Idiomas
shared-travelling = Com quem viaja
shared-helper = Por quem prefere ser atendido
consent-heading = Consentimento
consent-lead = Antes de enviar algo para { $service }, explique e pergunte. Sem consentimento, nada sai do dispositivo.
consent-explained = Expliquei, em palavras simples:
explained-what-is-shared = o que se compartilha
explained-who-receives = quem recebe
explained-what-happens-next = o que acontecerá depois
explained-can-say-no = que pode dizer não
explained-can-withdraw = que pode mudar de ideia depois
consent-language = Idioma da explicação
consent-language-other = Outro idioma
consent-child-agrees = A criança ou adolescente está de acordo.
consent-also = Também consentiu
consent-also-none = Ninguém mais
consent-also-guardian = Mãe, pai ou tutor
consent-also-authority = Autoridade de proteção
consent-not-suspected = Essa pessoa não é suspeita de fazer mal à criança.
consent-wishes = O que a criança ou adolescente deseja (poucas palavras)
consent-share-with-org = Também aceita que o caso seja guardado no servidor da organização ao sincronizar: selado, de modo que só os dispositivos da organização podem abri-lo, e só durante o prazo de conservação da organização.
consent-use-override = A lei obriga a informar sem consentimento
consent-override-warning = Isto fica registrado como exceção, com o seu nome, e aparece assim em toda parte.
consent-override-reason = Motivo legal (obrigatório)
consent-and-queue = Registrar e colocar na fila de envio
consents-heading = Consentimentos
consents-none = Ainda não há consentimentos registrados.
consent-override-badge = Exceção legal
consent-withdraw = Retirar
consent-withdrawn = retirado em { $date }
consent-withdrawn-done = Consentimento retirado. A retirada será enviada na próxima sincronização.
purpose-share-with-organisation = Guardar o caso na organização
purpose-referral = Encaminhamento
status-draft = Rascunho
status-queued = Na fila de envio
status-sent = Enviado
status-received = Recebido
status-accepted = Aceito
status-declined = Recusado
status-first-contact = Primeiro contato feito
status-service-provided = Serviço prestado
status-closed = Encerrado
status-withdrawn = Retirado (consentimento retirado)
status-revoked = Anulado
notes-heading = Notas práticas
notes-hint = Necessidades, próximos passos e data de acompanhamento. Aqui não se escreve o que aconteceu.
notes-needs = Necessidades
notes-next-steps = Próximos passos
notes-follow-up = Data de acompanhamento
slip-heading = Ficha de encaminhamento
slip-queued = O encaminhamento está na fila e sairá na próxima sincronização.
slip-phone = Telefone: { $number }
slip-follow-up = Acompanhamento: { $date }
slip-code-explain = Mostre este código ao chegar. O código QR contém só este código, nenhum dado pessoal.
slip-qr-label = Código QR do encaminhamento { $code }
slip-print = Imprimir
category-alojamiento = Alojamento
category-asesoria-legal = Orientação jurídica
category-asistencia-economica = Ajuda financeira
category-documentacion = Documentos
category-linea-emergencia = Linha de emergência
category-orientacion = Orientação
category-proteccion-ninez = Proteção da infância
category-psicosocial = Apoio psicossocial
category-salud = Saúde
category-salud-mental-urgente = Saúde mental urgente
outbox-none = Nada pendente de sincronizar.
entity-case = Caso
entity-screening = Triagem
entity-consent = Consentimento
entity-referral = Encaminhamento
op-create = criado
op-update = alterado
op-complete = concluído
op-withdraw = retirado
op-status = mudança de estado

## Public side (migrant mode)

country-question = Em que país você está agora?
country-current = Você está em: { $country }
country-change = Mudar
country-locate = Usar a localização do celular
country-locate-failed = Não foi possível saber a localização. Escolha o país você mesmo.
directory-boys = Atende meninos
directory-lgbtiq = Atende pessoas LGBTIQ+
discreet-title = Notas
display-settings = Tela e privacidade
display-large-text = Letra grande
display-high-contrast = Alto contraste
display-discreet = Modo discreto: a janela do app mostra outro nome
display-not-saved = Nada disto é salvo: ao fechar o aplicativo, volta a ser como era.
help-heading = Pedir ajuda
help-lead = Linhas e serviços que podem te ajudar. As linhas de proteção costumam ser grátis de um celular do país. O que você buscar aqui não é salvo.
help-kind = Tipo de ajuda
map-heading = Mapa sem internet
map-lead = Toque um ponto para ver o que é. Aproxime com os botões, dois dedos ou a roda do mouse.
map-kind-route-place = Passagem ou lugar da rota
map-kind-danger-zone = Zona de perigo
map-kind-service = Serviço de ajuda
map-list = Ver os pontos como lista
map-zoom-in = Aproximar
map-zoom-out = Afastar
neutral-title = Lista
neutral-item-1 = Pão
neutral-item-2 = Arroz
neutral-item-3 = Leite
neutral-item-4 = Sabão
public-sections = Seções
quick-exit = Sair rápido
read-aloud = Ouvir
read-aloud-stop = Parar
tab-rights = Seus direitos
tab-journey = Antes, no caminho, ao chegar
tab-help = Pedir ajuda
tab-map = Mapa
tab-rights-heading = Seus direitos em { $country }

## Sync

sync-heading = Sincronização
sync-not-enrolled = Este dispositivo ainda não está inscrito no servidor da organização. Nada sai do dispositivo até que esteja.
sync-server = Endereço do servidor
sync-code = Código de inscrição
sync-enrol = Inscrever este dispositivo
sync-enrolled = Dispositivo inscrito.
sync-connected = Conectado a { $server } (equipe { $team }).
sync-now = Sincronizar
sync-running = Sincronizando…
sync-progress = Enviados { $sent } de { $total } · { $kb } KB
sync-report = Pronto: { $sent } alterações enviadas ({ $kb } KB), { $received ->
        [one] 1 novidade recebida
       *[other] { $received } novidades recebidas
    }.
sync-held = { $held } alterações ficam no dispositivo porque falta o consentimento.
sync-conflicts = Há { $conflicts } dados alterados ao mesmo tempo em dois lugares: revise-os.
error-not-enrolled = Este dispositivo não está inscrito em um servidor.
error-offline = Não foi possível chegar ao servidor. Nada se perdeu: tente de novo quando houver conexão.
error-refused = O servidor recusou a solicitação ({ $reason }). Nada se perdeu.
error-revoked = A organização retirou este dispositivo: o cofre foi apagado.
outbox-held = aguarda consentimento
outbox-waiting = pendente de envio
conflict-theirs = No servidor
conflict-ours = Neste dispositivo
conflict-resolved = Revisado
conflict-hint = Duas pessoas alteraram o mesmo dado. Decida com a equipe qual vale, corrija o caso se precisar e marque o conflito como revisado.
incoming-heading = Encaminhamentos recebidos pela sua organização
incoming-none = Não há encaminhamentos para a sua organização.
error-key-grant-unreadable = A cópia da chave da sua organização para este dispositivo não pode ser aberta. Peça à pessoa administradora que a conceda de novo. Nada sai sem selar: o que precisa da chave espera neste dispositivo.
error-export-failed = Não foi possível gravar o arquivo (pen drive cheio ou removido?). Nada mudou: as alterações continuam pendentes. Tente de novo ou outro pen drive.
sync-content-available = Há uma versão mais nova do conteúdo (versão { $version }). Peça o pacote à sua organização para manter o diretório e as informações de direitos em dia.
sync-export = Exportar para um arquivo (USB)
sync-exported = { $ops } alterações cifradas foram salvas em { $file }. Leve-o ao escritório: o servidor as importa sem duplicar nada, e elas são confirmadas na próxima sincronização.
sync-export-none = Não há alterações prontas para exportar.
outbox-sent = enviado
outbox-failed = não foi possível enviar ({ $reason })
outbox-failed-offline = não foi possível enviar: sem conexão
outbox-exported = em um arquivo USB; será confirmado ao sincronizar
outbox-conflict = em conflito: revisar
incoming-summary-no-organisation-key = O resumo está cifrado para a sua organização e este dispositivo ainda não tem a chave dela. Peça à pessoa administradora que a conceda.
incoming-summary-withheld = Este encaminhamento chegou sem resumo. Pergunte à equipe que o enviou; não peça à criança ou adolescente que conte sua história de novo.
incoming-summary-unreadable = O resumo está danificado e não pode ser aberto. Peça à equipe que o enviou que o verifique.

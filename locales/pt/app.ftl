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
start-public-door-hint = Para crianças, adolescentes e famílias em deslocamento. Sem conta e sem deixar rastro.
start-staff-door = Equipe
start-staff-door-hint = Para a equipe humanitária. Abre com o seu PIN.

## Lado público

public-heading = Informação e direitos
public-intro = Aqui você encontra os seus direitos, conselhos para o caminho e onde pedir ajuda, sem precisar de internet.
public-no-content = Este dispositivo ainda não tem o pacote de informação instalado. Se precisar de ajuda agora, procure uma pessoa da equipe humanitária.
public-never-your-fault = Se alguém te fez mal, a culpa não é sua. Você tem direito à proteção.

## Equipe: criar e abrir o cofre

staff-create-heading = Primeiro uso: crie o seu perfil
staff-create-intro = Este dispositivo ainda não tem cofre. Quem o cria fica como responsável pelo dispositivo e pode adicionar colegas, cada uma com o seu próprio PIN.
staff-create-privacy = Os dados de crianças e adolescentes ficam cifrados neste dispositivo e só abrem com um PIN da equipe.
staff-name-label = Nome
staff-pin-label = PIN (pelo menos 6 caracteres)
staff-pin-again-label = Repita o PIN
staff-create-submit = Criar o cofre
staff-unlock-heading = Equipe
staff-unlock-intro = Digite o seu PIN para abrir o cofre.
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
error-pin-in-use = Outra pessoa já usa esse PIN neste dispositivo. Escolha outro.
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
error-consent-incomplete = O consentimento não está completo: { $missing }.
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
content-source = Fonte: { $source }. Verificado em { $date }.
content-installed-heading = Conteúdo instalado
content-none-installed = Nenhum pacote de conteúdo está instalado.
content-pack-line = Pacote «{ $publisher }», versão { $version } (assinatura verificada)
content-checklist-line = Lista de verificação: { $title } (v{ $version }, { $questions } perguntas)

## Diretório de serviços

directory-heading = Diretório de serviços
directory-search-label = Que serviço você procura?
directory-search-placeholder = Por exemplo: atendimento psicológico, abrigo
directory-country = País
directory-any-country = Todos os países
directory-search = Buscar
directory-none-here = Não há nenhum serviço que corresponda nesta região.
directory-nearest-elsewhere = Os mais próximos em outras regiões
directory-demo = Dado de demonstração — verificar antes de usar
directory-call = Ligar para { $number }
directory-undocumented = Atende pessoas sem documentos
directory-adolescent-mothers = Aceita mães adolescentes com o bebê
directory-unaccompanied = Atende crianças e adolescentes desacompanhados
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

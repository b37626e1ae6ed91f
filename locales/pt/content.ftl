# content-rules (#13): review lines, real and demo data, the insufficient level.
level-insufficient = Sem informação suficiente
level-insufficient-explain = A maioria dos indicadores ficou sem avaliação. Isto não é «risco baixo»: volte a conversar mais tarde.
answer-not-observed = Não foi possível observar
screening-not-validated = Não é um instrumento validado: é um guia para a conversa e não substitui o seu critério.
content-reviewed = Revisado por { $by } em { $date }.
content-not-reviewed = Ainda sem revisão jurídica.
content-legal-basis = Base legal
directory-real = Número real. Verificado por { $by } em { $date }.
demo-banner = Versão de teste: alguns dados não são reais. Pergunte a uma equipe humanitária antes de ir ou ligar.
place-dangers-heading = Cuidado nesta passagem
result-loading = Carregando o resultado…
result-protection-lines = Linhas de proteção da infância
result-no-line = O diretório instalado não tem uma linha de emergência nem de proteção para este país. Peça o número à sua organização.
category-linea-proteccion = Linha de proteção da infância
result-indicator-retired = Indicador de uma versão anterior da lista

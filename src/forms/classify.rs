//! The form and field classifier: what each field asks for, whether a person must fill
//! it, and what the whole form is for — from the signals a person (and a browser's
//! autofill) uses: autocomplete tokens, input types, labels, placeholders, names and
//! ids, the form's heading and button, the page it is on.
//!
//! Keyword tables cover English, German, French, Spanish and Portuguese and are written
//! normalized (lowercase ASCII, see [`crate::text`]). Every decision records its reason.

use url::Url;

use super::extract::{RawField, RawForm};
use super::{Control, Field, FieldType, FormKind, FormRegion};
use crate::text::{collapse_whitespace, has_phrase, normalize};

/// Words a field's label or name uses to ask for a value a second time.
const CONFIRM: &[&str] = &[
    "confirm",
    "confirmation",
    "repeat",
    "again",
    "retype",
    "re type",
    "re enter",
    "reenter",
    "verify",
    "wiederholen",
    "bestatigen",
    "bestatigung",
    "confirmer",
    "confirmez",
    "repetir",
    "repita",
    "confirmar",
    "confirme",
    "repetez",
    "erneut",
    "nochmals",
    "podtverdite",
    "povtorite",
];
const HONEYPOT_WORDS: &[&str] = &[
    "honeypot",
    "hp",
    "trap",
    "nospam",
    "no spam",
    "leave blank",
    "leave this blank",
    "leave empty",
    "leave this empty",
    "leave this field empty",
    "leave this field blank",
    "do not fill",
    "don t fill",
    "if you are human",
    "bot field",
    "bottest",
    "tastyhoney",
    "honey",
    "left unchanged",
    "should be left blank",
    "required but not really",
    "gform validation container",
    "nicht ausfullen",
    "leer lassen",
    "laisser vide",
    "ne pas remplir",
    "deja este campo vacio",
    "dejar vacio",
    "no rellenar",
    "deixe em branco",
    "nao preencha",
];
/// Words that name a CAPTCHA or a robot check on their own, in a label or a name.
const CAPTCHA_WORDS: &[&str] = &[
    "captcha",
    "recaptcha",
    "g recaptcha",
    "g recaptcha response",
    "hcaptcha",
    "h captcha",
    "cf turnstile",
    "turnstile",
    "enter the characters",
    "type the characters",
    "characters shown",
    "characters you see",
    "code shown",
    "code you see",
    "code above",
    "word above",
    "type the word",
    "text in the image",
    "code in the image",
    "code in the picture",
    "security check",
    "spam protection",
    "spam check",
    "anti spam",
    "antispam",
    "anti robot",
    "anti robots",
    "anti bot",
    "antibot",
    "are you human",
    "are you a human",
    "not a robot",
    "human verification",
    "humanverify",
    "human verify",
    "seccode",
    "vvcode",
    "visual verify",
    "visual verification",
    "verification image",
    "image verification",
    "spamschutz",
    "sicherheitsabfrage",
    "sicherheitsuberprufung",
    "grafische sicherheitsuberprufung",
    "code de securite",
    "antirobot",
    "codigo de verificacion",
    "kod bezopasnosti",
    "proverochnyi kod",
    "sluchainyi vopros",
];
/// Words that ask for a code or an answer: a CAPTCHA when a challenge image sits beside
/// the box, or when the label poses a sum.
const CODE_WORDS: &[&str] = &[
    "code",
    "security code",
    "verification code",
    "verify code",
    "confirmation code",
    "enter the code",
    "verification",
    "verify",
    "answer",
    "characters",
    "letters",
    "digits",
    "word",
    "sicherheitscode",
    "zeichen",
    "codigo",
    "copie el codigo",
    "kod",
    "znaky",
];
/// Fields forms show or hide as other answers change (addresses, hints): hidden is not a trap.
const CONDITIONAL: &[&str] = &[
    "zip",
    "postal",
    "postcode",
    "post code",
    "house",
    "house number",
    "unit",
    "unit number",
    "apartment",
    "suite",
    "street",
    "city",
    "state",
    "region",
    "province",
    "county",
    "hint",
    "resolution",
    "image",
    "other",
    "date",
    "datepicker",
];
/// Words of a box that a choice reveals: "If other, please specify".
const SPECIFY: &[&str] = &[
    "please specify",
    "specify",
    "if other",
    "other please specify",
    "bitte angeben",
    "sonstiges",
    "precisez",
    "veuillez preciser",
    "especifique",
    "especifica",
    "por favor especifique",
];
/// Options that say "something else".
const OTHER_OPTIONS: &[&str] = &[
    "other",
    "others",
    "something else",
    "andere",
    "anderes",
    "sonstiges",
    "autre",
    "autres",
    "otro",
    "otra",
    "otros",
    "outro",
    "outra",
    "anders",
];

/// Whether a select or radio group offers an "Other" option.
fn offers_other(f: &RawField) -> bool {
    matches!(f.control, Control::Select | Control::Radio)
        && f.constraints
            .options
            .iter()
            .any(|o| OTHER_OPTIONS.contains(&normalize(&o.text).as_str()))
}

/// Names that mean "send me marketing": they decide before a label's "I agree".
const MARKETING_NAMES: &[&str] = &[
    "newsletter",
    "mails",
    "mailing",
    "ads",
    "advertising",
    "optin",
    "opt in",
    "marketing",
    "offers",
    "promo",
    "promotions",
    "news",
    "subscribe",
    "subscription",
];
/// Names that mean "I accept the rules".
const TERMS_NAMES: &[&str] = &[
    "terms",
    "tos",
    "agree",
    "agreement",
    "accept",
    "cgu",
    "cgv",
    "agb",
    "conditions",
    "condizioni",
    "rules",
    "legal",
    "legals",
    "disclaimer",
    "consent",
    "gdpr",
    "privacy",
    "zgoda",
    "eula",
    "policy",
    "toc",
];
const MARKETING: &[&str] = &[
    "newsletter",
    "marketing",
    "promotional",
    "promotions",
    "offers",
    "special offers",
    "product updates",
    "updates",
    "news",
    "tips",
    "subscribe",
    "send me",
    "email me",
    "keep me informed",
    "keep me updated",
    "receive emails",
    "receive news",
    "optin",
    "opt in",
    "angebote",
    "neuigkeiten",
    "infolettre",
    "recevoir",
    "offres",
    "ofertas",
    "novedades",
    "boletin",
    "promociones",
    "receber",
    "novidades",
    "promocoes",
];
const TERMS: &[&str] = &[
    "terms",
    "terms of service",
    "terms of use",
    "conditions",
    "agree",
    "i agree",
    "accept",
    "privacy policy",
    "privacy",
    "tos",
    "eula",
    "agb",
    "datenschutz",
    "datenschutzerklarung",
    "nutzungsbedingungen",
    "einverstanden",
    "akzeptiere",
    "zustimmen",
    "cgu",
    "cgv",
    "j accepte",
    "conditions generales",
    "politique de confidentialite",
    "acepto",
    "terminos",
    "condiciones",
    "politica de privacidad",
    "aceito",
    "termos",
    "concordo",
    "politica de privacidade",
    "consent",
    "gdpr",
];
const REMEMBER: &[&str] = &[
    "remember me",
    "remember",
    "keep me signed in",
    "keep me logged in",
    "stay signed in",
    "stay logged in",
    "angemeldet bleiben",
    "eingeloggt bleiben",
    "se souvenir de moi",
    "rester connecte",
    "recordarme",
    "mantener sesion",
    "no cerrar sesion",
    "lembrar",
    "lembrar de mim",
    "manter conectado",
];
/// Words for "search" in labels, buttons, form names and actions (EN, DE, FR, ES, PT, IT,
/// NL, PL, SV, HU, LT, RU, JA/ZH as transliterated by [`normalize`]).
const SEARCH: &[&str] = &[
    "search",
    "suche",
    "suchen",
    "rechercher",
    "recherche",
    "buscar",
    "busca",
    "buscador",
    "busqueda",
    "pesquisar",
    "pesquisa",
    "cerca",
    "ricerca",
    "zoeken",
    "zoek",
    "szukaj",
    "wyszukaj",
    "sok",
    "kereses",
    "ieskoti",
    "paieska",
    "poisk",
    "iskat",
    "naiti",
    "jian suo",
    "sou suo",
];
/// Words of a shopping cart: a quantity box with an icon button adds to the cart, it
/// does not search.
const CART_WORDS: &[&str] = &[
    "cart",
    "basket",
    "bag",
    "addtocart",
    "add to cart",
    "qty",
    "quantity",
    "warenkorb",
    "menge",
    "panier",
    "quantite",
    "carrito",
    "cantidad",
    "carrinho",
    "quantidade",
    "koszyk",
    "korzina",
];
/// Button words that submit a one-box form without saying what it does.
const GO_WORDS: &[&str] = &["go", "ok", "find", "finden", "trouver", "encontrar", "los"];
/// Words inside a text box's name that make it a search box ("txtSearch", "p_keyword").
const SEARCH_NAME_WORDS: &[&str] = &[
    "q",
    "query",
    "search",
    "searchterm",
    "searchtext",
    "searchstring",
    "searchword",
    "searchbox",
    "keyword",
    "keywords",
    "suchbegriff",
    "recherche",
    "buscar",
    "busqueda",
];
/// Short names that mean a search box only in a form that searches ("s", "text").
const SEARCH_FORM_NAMES: &[&str] = &[
    "s",
    "k",
    "kw",
    "qs",
    "term",
    "terms",
    "text",
    "mot",
    "mots",
    "words",
    "query string",
    "find",
    "what",
    "request",
];
const EMAIL: &[&str] = &[
    "email",
    "e mail",
    "mail",
    "email address",
    "e mail address",
    "mail address",
    "emailaddress",
    "correo",
    "correo electronico",
    "courriel",
    "adresse e mail",
    "adresse email",
    "e mail adresse",
    "emailadresse",
    "endereco de email",
    "endereco de e mail",
    "correio electronico",
    "correio eletronico",
    "correo e",
    "posta elettronica",
    "e post",
    "epost",
    "sahkoposti",
];
const PHONE: &[&str] = &[
    "phone",
    "phone number",
    "telephone",
    "tel",
    "mobile",
    "mobile number",
    "cell",
    "cellphone",
    "msisdn",
    "telefon",
    "telefonnummer",
    "handy",
    "handynummer",
    "mobilnummer",
    "telephone portable",
    "portable",
    "telefono",
    "movil",
    "celular",
    "telefone",
    "whatsapp",
];
const USERNAME: &[&str] = &[
    "username",
    "user name",
    "login",
    "login name",
    "userid",
    "user id",
    "uname",
    "nickname",
    "nick",
    "handle",
    "screen name",
    "benutzername",
    "nutzername",
    "nom d utilisateur",
    "identifiant",
    "pseudo",
    "usuario",
    "nombre de usuario",
    "nome de usuario",
];
const COMPANY_SIZE: &[&str] = &[
    "company size",
    "team size",
    "size of your team",
    "size of your company",
    "number of employees",
    "employees",
    "employee count",
    "headcount",
    "how many people",
    "how many employees",
    "companysize",
    "unternehmensgrosse",
    "mitarbeiter",
    "anzahl der mitarbeiter",
    "mitarbeiterzahl",
    "taille de l entreprise",
    "nombre d employes",
    "effectif",
    "tamano de la empresa",
    "numero de empleados",
    "empleados",
    "tamanho da empresa",
    "funcionarios",
    "numero de funcionarios",
];
const COMPANY: &[&str] = &[
    "company",
    "company name",
    "organization",
    "organisation",
    "organization name",
    "business",
    "business name",
    "employer",
    "org",
    "companyname",
    "firma",
    "firmenname",
    "unternehmen",
    "entreprise",
    "societe",
    "nom de l entreprise",
    "empresa",
    "nombre de la empresa",
    "organizacion",
    "nome da empresa",
    "organizacao",
];
const JOB_TITLE: &[&str] = &[
    "job title",
    "jobtitle",
    "title",
    "role",
    "your role",
    "job role",
    "position",
    "job function",
    "function",
    "berufsbezeichnung",
    "funktion",
    "position im unternehmen",
    "poste",
    "fonction",
    "intitule du poste",
    "cargo",
    "puesto",
    "funcao",
];
/// Things people create in an app: "Document title" names one of these, not a job.
const THINGS: &[&str] = &[
    "site",
    "website",
    "blog",
    "workspace",
    "workflow",
    "store",
    "shop",
    "document",
    "project",
    "board",
    "page",
    "note",
    "task",
    "invoice",
    "survey",
    "form",
    "post",
    "article",
    "event",
    "meeting",
    "campaign",
    "report",
    "documento",
    "projet",
    "projekt",
    "dokument",
    "proyecto",
    "projeto",
    "tableau",
    "formulaire",
    "formular",
    "formulario",
];
const COUNTRY: &[&str] = &[
    "country",
    "country region",
    "countrycode",
    "country code",
    "nation",
    "land",
    "pays",
    "pais",
];
const WEBSITE: &[&str] = &[
    "website",
    "web site",
    "url",
    "homepage",
    "home page",
    "site",
    "company website",
    "your website",
    "domain",
    "web",
    "webseite",
    "site web",
    "site internet",
    "sitio web",
    "pagina web",
];
/// Words that name a thing rather than give its address ("Site title").
const NAMING: &[&str] = &[
    "title", "name", "titel", "titre", "nom", "nombre", "nome", "titulo", "headline", "tagline",
];
/// Words of an address on the web.
pub(crate) const ADDRESS: &[&str] = &[
    "url",
    "address",
    "domain",
    "link",
    "http",
    "https",
    "adresse",
    "direccion",
    "endereco",
];
const FIRST_NAME: &[&str] = &[
    "first name",
    "firstname",
    "first",
    "fname",
    "f name",
    "given name",
    "givenname",
    "forename",
    "vorname",
    "prenom",
    "primeiro nome",
    "nombre de pila",
];
const LAST_NAME: &[&str] = &[
    "last name",
    "lastname",
    "last",
    "lname",
    "l name",
    "surname",
    "family name",
    "familyname",
    "nachname",
    "familienname",
    "nom de famille",
    "apellido",
    "apellidos",
    "sobrenome",
    "ultimo nome",
];
const FULL_NAME: &[&str] = &[
    "full name",
    "fullname",
    "your name",
    "your full name",
    "name",
    "nombre completo",
    "nom complet",
    "nome completo",
    "vollstandiger name",
    "ihr name",
    "votre nom",
    "tu nombre",
    "su nombre",
    "seu nome",
    "nombre y apellidos",
    "vor und nachname",
    "nome e sobrenome",
    "contact name",
];
const MESSAGE: &[&str] = &[
    "message",
    "comment",
    "comments",
    "how can we help",
    "questions",
    "question",
    "tell us",
    "details",
    "your message",
    "nachricht",
    "kommentar",
    "mitteilung",
    "ihre nachricht",
    "commentaire",
    "votre message",
    "mensaje",
    "comentario",
    "comentarios",
    "mensagem",
    "sua mensagem",
];
const CARD_NUMBER: &[&str] = &[
    "card number",
    "cardnumber",
    "credit card",
    "credit card number",
    "cc number",
    "ccnumber",
    "card no",
    "kartennummer",
    "kreditkartennummer",
    "numero de carte",
    "numero de tarjeta",
    "numero do cartao",
];
const CARD_EXPIRY: &[&str] = &[
    "expiry",
    "expiration",
    "expiration date",
    "expiry date",
    "exp date",
    "mm yy",
    "mm yyyy",
    "cc exp",
    "ccexp",
    "valid thru",
    "ablaufdatum",
    "gultig bis",
    "date d expiration",
    "vencimiento",
    "fecha de vencimiento",
    "validade",
];
const CARD_CVC: &[&str] = &[
    "cvc",
    "cvv",
    "csc",
    "cvc2",
    "cvv2",
    "card code",
    "security code",
    "card verification",
    "prufnummer",
    "sicherheitscode",
    "cryptogramme",
    "codigo de seguridad",
    "codigo de seguranca",
];

const SIGNUP_WORDS: &[&str] = &[
    "sign up",
    "signup",
    "register",
    "registration",
    "create account",
    "create an account",
    "create my account",
    "create your account",
    "create free account",
    "create a free account",
    "join",
    "join now",
    "join free",
    "get started",
    "start free",
    "start for free",
    "start trial",
    "start free trial",
    "start my free trial",
    "start your free trial",
    "try free",
    "try it free",
    "try for free",
    "free trial",
    "open account",
    "new account",
    "new user",
    "registrieren",
    "registrierung",
    "konto erstellen",
    "jetzt registrieren",
    "kostenlos registrieren",
    "kostenlos testen",
    "konto anlegen",
    "inscription",
    "s inscrire",
    "inscrivez vous",
    "creer un compte",
    "creer mon compte",
    "essai gratuit",
    "registrarse",
    "registrate",
    "crear cuenta",
    "crear mi cuenta",
    "crear una cuenta",
    "registro",
    "prueba gratis",
    "cadastrar",
    "cadastre se",
    "cadastro",
    "criar conta",
    "criar minha conta",
    "inscrever",
    "inscreva se",
    "teste gratis",
    // Other languages met on real sites (as transliterated by `normalize`).
    "registreren",
    "registrera",
    "registrer",
    "registrati",
    "iscriviti",
    "iscrizione",
    "rejestracja",
    "zarejestruj",
    "zarejestruj sie",
    "registrace",
    "regisztracio",
    "registrovat",
    "kayit ol",
    "registratsiia",
    "zaregistrirovat sia",
    "zaregistrirovatsia",
    "zhu ce",
    "hui yuan deng lu",
    "xin gui deng lu",
    "hoeweongaib",
];
const LOGIN_WORDS: &[&str] = &[
    "log in",
    "login",
    "sign in",
    "signin",
    "log on",
    "logon",
    "welcome back",
    "anmelden",
    "einloggen",
    "se connecter",
    "connexion",
    "connectez vous",
    "iniciar sesion",
    "inicia sesion",
    "ingresar",
    "acceder",
    "entrar",
    "acessar",
    "fazer login",
    "inloggen",
    "logga in",
    "accedi",
    "zaloguj",
    "logowanie",
    "prihlasit",
    "bejelentkezes",
    "giris",
    "voiti",
    "vkhod",
    "deng lu",
    "deng ru",
    "roguin",
    "rogeuin",
];
const RESET_WORDS: &[&str] = &[
    "forgot",
    "forgot password",
    "forgotten",
    "reset",
    "reset password",
    "recover",
    "recovery",
    "lost password",
    "change password",
    "set new password",
    "send reset link",
    "passwort vergessen",
    "passwort zurucksetzen",
    "zurucksetzen",
    "mot de passe oublie",
    "reinitialiser",
    "olvidaste",
    "olvide",
    "restablecer",
    "recuperar",
    "esqueceu",
    "esqueci",
    "redefinir",
];
const NEWSLETTER_WORDS: &[&str] = &[
    "subscribe",
    "newsletter",
    "mailing list",
    "stay in the loop",
    "stay updated",
    "get updates",
    "get the newsletter",
    "sign up for updates",
    "abonnieren",
    "newsletter abonnieren",
    "s abonner",
    "abonnez vous",
    "infolettre",
    "suscribirse",
    "suscribete",
    "suscribir",
    "boletin",
    "assinar",
    "assine",
    "subscriber",
    "newsletters",
    "email signup",
    "email sign up",
    "mailinglist",
    "mailing",
    "e mail list",
    "email list",
    "email updates",
    "emails",
    "deals",
    "offers",
    "promotions",
    "news",
    "nyhedsbrev",
    "nieuwsbrief",
    "podpiska",
    "podpisat sia",
    "rassylka",
];
/// Signup words a mailing list uses as well as an account ("Sign up for deals").
const GENERIC_SIGNUP: &[&str] = &["sign up", "signup", "join", "join now", "join free"];
/// Words that say an account is made: they keep an e-mail-only "Sign up" a signup
/// rather than a mailing-list subscription.
const ACCOUNT_WORDS: &[&str] = &[
    "account",
    "create account",
    "free trial",
    "trial",
    "get started",
    "start free",
    "try free",
    "konto",
    "compte",
    "cuenta",
    "conta",
    "password",
    "passwort",
    "mot de passe",
    "contrasena",
    "senha",
];
const WAITLIST_WORDS: &[&str] = &[
    "waitlist",
    "wait list",
    "waiting list",
    "early access",
    "join the list",
    "request access",
    "request an invite",
    "request invite",
    "get notified",
    "notify me",
    "get early access",
    "warteliste",
    "liste d attente",
    "lista de espera",
];
const DEMO_WORDS: &[&str] = &[
    "demo",
    "book a demo",
    "request a demo",
    "get a demo",
    "schedule a demo",
    "schedule",
    "book a call",
    "talk to sales",
    "contact sales",
    "talk to an expert",
    "get a quote",
    "request a quote",
    "demo anfordern",
    "demo vereinbaren",
    "demander une demo",
    "solicitar demo",
    "solicitar una demo",
    "agendar demo",
];
const CONTACT_WORDS: &[&str] = &[
    "contact",
    "contact us",
    "get in touch",
    "send message",
    "send us a message",
    "message us",
    "kontakt",
    "nachricht senden",
    "kontaktieren",
    "contactez nous",
    "nous contacter",
    "contacto",
    "contactanos",
    "enviar mensaje",
    "contato",
    "fale conosco",
    "enviar mensagem",
];

/// Some well-known country names (normalized) that mark a select as a country list.
const COUNTRIES: &[&str] = &[
    "united states",
    "united kingdom",
    "germany",
    "france",
    "spain",
    "canada",
    "mexico",
    "brazil",
    "india",
    "australia",
    "italy",
    "japan",
    "china",
    "netherlands",
    "sweden",
    "argentina",
    "colombia",
    "chile",
    "peru",
    "portugal",
    "deutschland",
    "frankreich",
    "espana",
    "alemania",
    "francia",
    "estados unidos",
    "brasil",
    "allemagne",
    "espagne",
    "etats unis",
    "osterreich",
    "austria",
    "schweiz",
    "switzerland",
    "belgium",
];

fn any_phrase(text: &str, table: &[&'static str]) -> Option<&'static str> {
    table.iter().copied().find(|w| has_phrase(text, w))
}

/// Whether a label names a field other than an e-mail address: a name, a phone, a company.
fn label_names_another(label: &str) -> bool {
    [PHONE, FIRST_NAME, LAST_NAME, COMPANY, MESSAGE]
        .iter()
        .any(|t| any_phrase(label, t).is_some())
        || full_name_phrase(label).is_some()
}

/// "Username or e-mail", "Email/Username", "Login или email": a label offering two things.
fn offers_a_choice(normalized: &str, raw: &str) -> bool {
    const OR: &[&str] = &[
        "or", "ou", "oder", "o", "lub", "ili", "of", "eller", "vagy", "nebo",
    ];
    raw.contains('/') || OR.iter().any(|w| has_phrase(normalized, w))
}

/// Names that glue "email" to other words: "txtemail", "custemail", "emailsignup".
fn email_compound(name: &str) -> Option<&'static str> {
    name.split(' ')
        .any(|w| w.contains("email") && !w.contains("confirm"))
        .then_some("email")
}

/// Machine names that glue "captcha" to other words: "recaptcha_response", "captchacode".
fn captcha_compound(machine: &str) -> bool {
    machine.split_whitespace().any(|w| w.contains("captcha"))
}

/// "user[email_confirmation]", "fName", "pass2" → "user email confirmation", "f name", "pass 2".
fn machine_words(raw: &str) -> String {
    let mut spaced = String::with_capacity(raw.len() + 8);
    let mut prev: Option<char> = None;
    for c in raw.chars() {
        if let Some(p) = prev {
            let camel = p.is_ascii_lowercase() && c.is_ascii_uppercase();
            let digit = p.is_ascii_alphabetic() && c.is_ascii_digit();
            if camel || digit {
                spaced.push(' ');
            }
        }
        spaced.push(c);
        prev = Some(c);
    }
    normalize(&spaced)
}

/// Everything known about one field, normalized once.
struct Signals {
    /// The field's own label (label element, aria-label): what it is called.
    own_label: String,
    /// Everything a person reads near it: label, placeholder, title, nearby text.
    human: String,
    machine: String,
    /// The autocomplete token that names the field (the last one, e.g. "email" in "work email").
    autocomplete: String,
    input_type: String,
    classes: String,
    /// The name attribute alone, as words.
    name: String,
}

impl Signals {
    fn of(f: &RawField) -> Signals {
        let human = normalize(
            &[&f.label, &f.aria_label, &f.placeholder, &f.title, &f.nearby]
                .map(|s| s.as_str())
                .join(" "),
        );
        let machine = machine_words(&format!(
            "{} {}",
            f.name.as_deref().unwrap_or(""),
            f.id.as_deref().unwrap_or("")
        ));
        let autocomplete = f
            .autocomplete
            .split_whitespace()
            .rfind(|t| !matches!(*t, "on" | "off") && !t.starts_with("section-"))
            .unwrap_or("")
            .to_string();
        Signals {
            own_label: normalize(&format!("{} {}", f.label, f.aria_label)),
            human,
            machine,
            autocomplete,
            input_type: f.constraints.input_type.clone(),
            classes: machine_words(&f.classes),
            name: machine_words(f.name.as_deref().unwrap_or("")),
        }
    }

    /// Which signal mentions one of `table`'s phrases: (where, phrase).
    fn mentions(&self, table: &[&'static str]) -> Option<(&'static str, &'static str)> {
        if let Some(w) = any_phrase(&self.human, table) {
            return Some(("label", w));
        }
        any_phrase(&self.machine, table).map(|w| ("name", w))
    }
}

fn because(field_type: FieldType, reason: String) -> (FieldType, String) {
    (field_type, reason)
}

/// What a field's type depends on beyond the field itself.
struct FieldContext<'a> {
    /// The types of the fields before it in the form.
    earlier: &'a [FieldType],
    /// Whether a person sees other fields of the form (a field hidden on its own in a
    /// visible form is a trap; a whole hidden form is just closed).
    others_visible: bool,
    /// How many other fields the element that hides this one hides too: a hidden
    /// section (shown when a choice asks for it) rather than a trap.
    hidden_with: usize,
    /// Why the form looks like a search form, if it does.
    searches: Option<&'a str>,
    /// Whether it is the form's first visible plain text box.
    first_text_box: bool,
    /// How many fields of the form are named like a CAPTCHA.
    captcha_boxes: usize,
    /// The field right before it is a choice offering "Other": a hidden box after it is
    /// the "please specify" that the choice reveals, not a trap.
    after_other_choice: bool,
}

/// Decides one field's type.
fn field_type(f: &RawField, s: &Signals, cx: &FieldContext) -> (FieldType, String) {
    let says = |table: &[&'static str]| s.mentions(table);
    let confirm = says(CONFIRM);
    let text_like = matches!(f.control, Control::Text | Control::TextArea);
    let earlier = cx.earlier;
    // Hidden on its own in a form a person sees: nobody is meant to fill it.
    let hidden_alone = !f.visible && cx.others_visible && cx.hidden_with == 0;

    // Traps and robots first: a person never sees or fills these.
    let captcha = any_phrase(&s.machine, CAPTCHA_WORDS)
        .or_else(|| captcha_compound(&s.machine).then_some("captcha"))
        .or_else(|| any_phrase(&s.classes, CAPTCHA_WORDS))
        .or_else(|| any_phrase(&s.human, CAPTCHA_WORDS));
    if let Some(w) = captcha {
        // A "captcha" box hidden in a visible form is a trap for robots, not a CAPTCHA —
        // unless it is one of several CAPTCHA boxes the page shows one at a time.
        if text_like && hidden_alone && f.control != Control::TextArea && cx.captcha_boxes <= 1 {
            return because(
                FieldType::Honeypot,
                format!("named like a CAPTCHA (\"{w}\") but hidden from people"),
            );
        }
        return because(FieldType::Captcha, format!("mentions \"{w}\""));
    }
    if let Some(why) = challenge(f, s) {
        return because(FieldType::Captcha, why);
    }
    let conditional = any_phrase(&s.machine, CONDITIONAL)
        .or_else(|| any_phrase(&s.classes, CONDITIONAL))
        .or_else(|| any_phrase(&s.human, SPECIFY))
        .is_some()
        || cx.after_other_choice;
    if text_like
        && hidden_alone
        && !f.readonly
        && !conditional
        && !matches!(s.input_type.as_str(), "password")
    {
        let why = f
            .hidden_because
            .clone()
            .unwrap_or_else(|| "not visible".into());
        return because(
            FieldType::Honeypot,
            format!("a text field a person cannot see ({why})"),
        );
    }
    if text_like {
        if let Some((at, w)) = says(HONEYPOT_WORDS)
            .or_else(|| any_phrase(&s.classes, HONEYPOT_WORDS).map(|w| ("class", w)))
        {
            return because(FieldType::Honeypot, format!("its {at} says \"{w}\""));
        }
        if f.tabindex == Some(-1)
            && matches!(
                f.autocomplete.as_str(),
                "off" | "nope" | "false" | "new-password"
            )
            && f.constraints.input_type != "password"
        {
            return because(
                FieldType::Honeypot,
                "taken out of the tab order with autocomplete off".into(),
            );
        }
    }

    match f.control {
        Control::Checkbox => {
            // The name is the developer's own word for it; it decides before the label,
            // which often mixes "I agree" into a marketing opt-in and vice versa.
            if let Some(w) = any_phrase(&s.machine, MARKETING_NAMES) {
                return because(
                    FieldType::MarketingOptIn,
                    format!("a checkbox named \"{w}\""),
                );
            }
            if let Some(w) = any_phrase(&s.machine, TERMS_NAMES) {
                return because(FieldType::Terms, format!("a checkbox named \"{w}\""));
            }
            if let Some((at, w)) = says(REMEMBER) {
                return because(
                    FieldType::RememberMe,
                    format!("a checkbox whose {at} says \"{w}\""),
                );
            }
            if let Some((at, w)) = says(MARKETING) {
                return because(
                    FieldType::MarketingOptIn,
                    format!("a checkbox whose {at} says \"{w}\""),
                );
            }
            if let Some((at, w)) = says(TERMS) {
                return because(
                    FieldType::Terms,
                    format!("a checkbox whose {at} says \"{w}\""),
                );
            }
            return because(FieldType::Other, "a checkbox about something else".into());
        }
        Control::Radio | Control::File => {
            return because(FieldType::Other, "a choice of options".into())
        }
        _ => {}
    }

    let ac = s.autocomplete.as_str();
    // Passwords.
    if s.input_type == "password" || matches!(ac, "new-password" | "current-password") {
        if let Some((at, w)) = confirm {
            return because(
                FieldType::PasswordConfirm,
                format!("a password field whose {at} says \"{w}\""),
            );
        }
        if earlier.contains(&FieldType::Password) {
            return because(
                FieldType::PasswordConfirm,
                "the second password field of the form".into(),
            );
        }
        if let Some((_, w)) = says(CARD_CVC) {
            return because(
                FieldType::CardCvc,
                format!("a masked field for the card's \"{w}\""),
            );
        }
        return because(FieldType::Password, "a password field".into());
    }
    // Payment cards.
    if ac == "cc-number" {
        return because(FieldType::CardNumber, "autocomplete \"cc-number\"".into());
    }
    if ac.starts_with("cc-exp") {
        return because(FieldType::CardExpiry, format!("autocomplete \"{ac}\""));
    }
    if ac == "cc-csc" {
        return because(FieldType::CardCvc, "autocomplete \"cc-csc\"".into());
    }
    if let Some((at, w)) = says(CARD_NUMBER) {
        return because(FieldType::CardNumber, format!("its {at} says \"{w}\""));
    }
    let card_context = earlier.contains(&FieldType::CardNumber);
    if card_context {
        if let Some((at, w)) = says(CARD_EXPIRY) {
            return because(FieldType::CardExpiry, format!("its {at} says \"{w}\""));
        }
        if let Some((at, w)) = says(CARD_CVC) {
            return because(FieldType::CardCvc, format!("its {at} says \"{w}\""));
        }
    }
    // Search boxes.
    if s.input_type == "search" || f.constraints.input_type == "search" {
        return because(FieldType::Search, "an input of type search".into());
    }
    let plain_text_box =
        f.control == Control::Text && matches!(s.input_type.as_str(), "text" | "search");
    if plain_text_box {
        if let Some(w) = any_phrase(&s.name, SEARCH_NAME_WORDS).filter(|_| says(EMAIL).is_none()) {
            return because(FieldType::Search, format!("its name says \"{w}\""));
        }
        if let Some(why) = cx.searches {
            if let Some(w) = SEARCH_FORM_NAMES.iter().find(|w| s.name == **w) {
                return because(
                    FieldType::Search,
                    format!("named \"{w}\" in a form that searches ({why})"),
                );
            }
        }
    }
    if let Some(w) = any_phrase(&s.human, SEARCH) {
        if f.control == Control::Text {
            return because(FieldType::Search, format!("its label says \"{w}\""));
        }
    }
    // E-mail.
    let email_by = if s.input_type == "email" {
        Some("an input of type email".to_string())
    } else if ac == "email" {
        Some("autocomplete \"email\"".to_string())
    } else if let Some(w) = any_phrase(&s.human, EMAIL) {
        Some(format!("its label says \"{w}\""))
    } else if !label_names_another(&s.own_label) {
        // The developer's name decides unless the label names something else ("Name" in
        // a box whose id is "mailName").
        any_phrase(&s.machine, EMAIL)
            .or_else(|| email_compound(&s.name))
            .map(|w| format!("its name says \"{w}\""))
    } else {
        None
    };
    if let Some(why) = email_by.as_ref().filter(|_| f.control == Control::Text) {
        // "Username or e-mail": an identifier that also takes an address.
        if s.input_type != "email" {
            if let Some(w) =
                any_phrase(&s.human, USERNAME).filter(|_| offers_a_choice(&s.human, &f.label))
            {
                return because(
                    FieldType::Username,
                    format!("{why}, and it also says \"{w}\": a username or an e-mail address"),
                );
            }
        }
    }
    let confirm = confirm.or_else(|| {
        s.name
            .split(' ')
            .any(|t| t.len() > "confirm".len() && t.contains("confirm"))
            .then_some(("name", "confirm"))
    });
    if let Some(why) = email_by {
        if f.control == Control::Text {
            if let Some((at, w)) = confirm {
                return because(
                    FieldType::EmailConfirm,
                    format!("{why}, and its {at} says \"{w}\""),
                );
            }
            if earlier.contains(&FieldType::Email) && has_phrase(&s.machine, "2") {
                return because(
                    FieldType::EmailConfirm,
                    format!("{why}, the form's second, numbered 2"),
                );
            }
            return because(FieldType::Email, why);
        }
    }
    if s.input_type == "tel" || ac.starts_with("tel") {
        return because(
            FieldType::Phone,
            format!("input type \"{}\" / autocomplete \"{ac}\"", s.input_type),
        );
    }
    if s.input_type == "url" || ac == "url" {
        return because(FieldType::Website, "an input for a URL".into());
    }
    match ac {
        "username" => return because(FieldType::Username, "autocomplete \"username\"".into()),
        "given-name" => return because(FieldType::FirstName, "autocomplete \"given-name\"".into()),
        "family-name" => {
            return because(FieldType::LastName, "autocomplete \"family-name\"".into())
        }
        "name" => return because(FieldType::FullName, "autocomplete \"name\"".into()),
        "organization" => {
            return because(FieldType::Company, "autocomplete \"organization\"".into())
        }
        "organization-title" => {
            return because(
                FieldType::JobTitle,
                "autocomplete \"organization-title\"".into(),
            )
        }
        "country" | "country-name" => {
            return because(FieldType::Country, format!("autocomplete \"{ac}\""))
        }
        _ => {}
    }
    if f.control == Control::Select {
        if let Some(t) = select_by_options(f) {
            return t;
        }
    }
    if plain_text_box && s.input_type == "text" {
        if let Some((at, w)) = says(NEWSLETTER_WORDS) {
            return because(
                FieldType::Email,
                format!("its {at} says \"{w}\": a newsletter box asks for an e-mail address"),
            );
        }
    }
    if let Some(why) = cx.searches.filter(|_| plain_text_box && cx.first_text_box) {
        if says(EMAIL).is_none() && says(USERNAME).is_none() && says(NEWSLETTER_WORDS).is_none() {
            return because(
                FieldType::Search,
                format!("the first text box of a form that searches ({why})"),
            );
        }
    }
    let ordered: [(FieldType, &[&'static str]); 10] = [
        (FieldType::Phone, PHONE),
        (FieldType::CompanySize, COMPANY_SIZE),
        (FieldType::Website, WEBSITE),
        (FieldType::Username, USERNAME),
        (FieldType::Company, COMPANY),
        (FieldType::Country, COUNTRY),
        (FieldType::FirstName, FIRST_NAME),
        (FieldType::LastName, LAST_NAME),
        (FieldType::JobTitle, JOB_TITLE),
        (FieldType::Message, MESSAGE),
    ];
    // The label a person reads decides before hints and examples ("Project name",
    // placeholder "e.g. Website redesign"), and those before the developer's names.
    for source in ["label", "hint", "name"] {
        let text = match source {
            "label" => &s.own_label,
            "hint" => &s.human,
            _ => &s.machine,
        };
        for (t, table) in ordered {
            if let Some(w) = any_phrase(text, table) {
                if t == FieldType::JobTitle
                    && (looks_like_salutation(f) || any_phrase(&s.human, THINGS).is_some())
                {
                    continue;
                }
                // A one-line box named "details" is no message box: only a label (or a
                // multi-line box) says it asks for a message.
                if t == FieldType::Message && source != "label" && f.control != Control::TextArea {
                    continue;
                }
                // "Site title", "Name of your site": the site's name, not its address.
                if t == FieldType::Website
                    && any_phrase(text, NAMING).is_some()
                    && any_phrase(text, ADDRESS).is_none()
                {
                    continue;
                }
                return because(t, format!("its {source} says \"{w}\""));
            }
        }
        if let Some(w) = full_name_phrase(text) {
            return because(FieldType::FullName, format!("its {source} says \"{w}\""));
        }
    }
    if f.control == Control::TextArea {
        return because(FieldType::Message, "a multi-line text box".into());
    }
    if let Some(image) = f.beside_image.as_ref().filter(|i| i.named) {
        if f.control == Control::Text && s.input_type == "text" {
            return because(
                FieldType::Captcha,
                format!(
                    "a text box beside a CAPTCHA-like image ({})",
                    image.description
                ),
            );
        }
    }
    because(FieldType::Other, "no signal names what it asks for".into())
}

/// Codes that are not CAPTCHAs even beside an image: postal codes, coupons, phone parts.
const NOT_CHALLENGE: &[&str] = &[
    "zip",
    "postal",
    "postcode",
    "post code",
    "promo",
    "coupon",
    "voucher",
    "discount",
    "gift",
    "referral",
    "invitation",
    "invite",
    "area code",
    "country code",
    "sms",
    "phone",
    "card",
    "cvv",
    "cvc",
    "qty",
    "quantity",
];

/// A CAPTCHA told by its layout: a box asking for a code beside a challenge image, or a
/// label that poses a sum ("3 + 4 =", "What is 1 plus 1?").
fn challenge(f: &RawField, s: &Signals) -> Option<String> {
    if f.control != Control::Text || !matches!(s.input_type.as_str(), "text" | "number") {
        return None;
    }
    if s.mentions(NOT_CHALLENGE).is_some() {
        return None;
    }
    if let Some(image) = &f.beside_image {
        if let Some((at, w)) = s.mentions(CODE_WORDS) {
            return Some(format!(
                "its {at} says \"{w}\" beside a CAPTCHA-like image ({})",
                image.description
            ));
        }
    }
    poses_sum(&format!("{} {} {}", f.label, f.nearby, f.placeholder))
        .map(|sum| format!("its label poses a sum (\"{sum}\")"))
}

/// "6 + 3 =", "1+1=?", "what is 2 plus 5": the arithmetic question of a CAPTCHA.
fn poses_sum(label: &str) -> Option<String> {
    let text = collapse_whitespace(label);
    let chars: Vec<char> = text.chars().collect();
    let digit_near = |i: usize, step: isize| {
        let mut j = i as isize + step;
        while j >= 0 && (j as usize) < chars.len() && chars[j as usize] == ' ' {
            j += step;
        }
        j >= 0 && (j as usize) < chars.len() && chars[j as usize].is_ascii_digit()
    };
    let operator = chars.iter().enumerate().any(|(i, c)| {
        matches!(c, '+' | '×' | '*' | '-' | '=') && digit_near(i, -1) && {
            *c == '='
                || digit_near(i, 1)
                || chars
                    .get(i + 1..)
                    .is_some_and(|r| r.iter().find(|c| **c != ' ') == Some(&'='))
        }
    });
    let n = normalize(&text);
    let tokens: Vec<&str> = n.split(' ').collect();
    let number = |t: &str| !t.is_empty() && t.chars().all(|c| c.is_ascii_digit());
    let worded = tokens
        .windows(3)
        .any(|w| number(w[0]) && matches!(w[1], "plus" | "minus" | "times") && number(w[2]));
    (operator || worded).then(|| text.chars().take(40).collect())
}

/// "Name", "Your name", "Full name" — but not "Workspace name" or "Project name".
fn full_name_phrase(text: &str) -> Option<&'static str> {
    if let Some(w) = FULL_NAME
        .iter()
        .copied()
        .find(|w| *w != "name" && has_phrase(text, w))
    {
        return Some(w);
    }
    const BARE: [&str; 5] = ["name", "nombre", "nome", "nom", "your name"];
    BARE.iter()
        .copied()
        .find(|w| text == *w || text == format!("{w} required") || text == format!("user {w}"))
}

fn looks_like_salutation(f: &RawField) -> bool {
    f.constraints.options.iter().any(|o| {
        matches!(
            normalize(&o.text).as_str(),
            "mr" | "mrs" | "ms" | "herr" | "frau" | "m" | "mme" | "sr" | "sra"
        )
    })
}

/// Selects whose options say what they are: countries, company sizes.
fn select_by_options(f: &RawField) -> Option<(FieldType, String)> {
    let options: Vec<String> = f
        .constraints
        .options
        .iter()
        .map(|o| normalize(&o.text))
        .collect();
    let countries = options
        .iter()
        .filter(|o| COUNTRIES.contains(&o.as_str()))
        .count();
    if countries >= 3 || (options.len() >= 20 && countries >= 1) {
        return Some((
            FieldType::Country,
            format!("a list of {} options naming countries", options.len()),
        ));
    }
    let ranges = f
        .constraints
        .options
        .iter()
        .filter(|o| {
            let t = o.text.replace(['–', '—'], "-");
            let digits = t.chars().filter(char::is_ascii_digit).count();
            digits >= 2
                && (t.contains('-')
                    || t.contains('+')
                    || t.to_ascii_lowercase().contains("more")
                    || t.contains('<')
                    || t.contains('>'))
        })
        .count();
    if ranges >= 3 {
        let hint = normalize(&format!("{} {}", f.label, f.name.as_deref().unwrap_or("")));
        let about_people = [
            "employees",
            "people",
            "size",
            "team",
            "mitarbeiter",
            "empleados",
            "employes",
            "funcionarios",
            "tamano",
            "taille",
            "grosse",
            "tamanho",
        ];
        if hint.is_empty() || about_people.iter().any(|w| hint.contains(w)) {
            return Some((
                FieldType::CompanySize,
                format!("{ranges} options are head-count ranges"),
            ));
        }
    }
    None
}

/// Whether a person must fill the field, and why.
fn required_of(f: &RawField) -> Option<String> {
    let label = format!("{} {} {}", f.label, f.aria_label, f.placeholder);
    let said = normalize(&label);
    let optional = [
        "optional",
        "facultatif",
        "opcional",
        "freiwillig",
        "fakultativ",
    ];
    if optional.iter().any(|w| has_phrase(&said, w)) {
        return None;
    }
    if f.required_attr {
        return Some("required attribute".into());
    }
    if f.aria_required {
        return Some("aria-required".into());
    }
    if label.contains('*') {
        return Some("an asterisk in its label".into());
    }
    if f.drawn_mark {
        return Some("an asterisk its label's style draws".into());
    }
    let words = [
        "required",
        "pflichtfeld",
        "erforderlich",
        "obligatoire",
        "obligatorio",
        "obrigatorio",
        "requerido",
    ];
    words
        .iter()
        .find(|w| has_phrase(&said, w))
        .map(|w| format!("its label says \"{w}\""))
}

/// Why a form looks like a search form: `role="search"`, a form named or an action
/// pointing at "search", or a button that says "Search" — None otherwise.
fn searches(raw: &RawForm) -> Option<String> {
    let named = machine_words(&raw.attributes);
    if let Some(w) = any_phrase(&named, SEARCH) {
        return Some(format!("the form is named \"{w}\""));
    }
    let action = raw
        .action
        .as_deref()
        .map(|a| machine_words(&a.replace(['/', '-', '_', '.', '?', '=', '&'], " ")))
        .unwrap_or_default();
    if let Some(w) = any_phrase(&action, SEARCH) {
        return Some(format!("its action says \"{w}\""));
    }
    let button = normalize(raw.submit.as_ref().map_or("", |s| s.text.as_str()));
    if let Some(w) = any_phrase(&button, SEARCH) {
        return Some(format!("its button says \"{w}\""));
    }
    // One box and a button that only says "Go" (or shows an icon): a search box.
    let visible_text: Vec<&RawField> = raw
        .fields
        .iter()
        .filter(|f| f.visible && matches!(f.control, Control::Text | Control::TextArea))
        .collect();
    let one_plain_box = visible_text.len() == 1
        && visible_text[0].control == Control::Text
        && matches!(
            visible_text[0].constraints.input_type.as_str(),
            "text" | "search"
        );
    let buys = |text: &str| any_phrase(&machine_words(text), CART_WORDS).is_some();
    let shopping = one_plain_box
        && (buys(&raw.attributes)
            || buys(raw.action.as_deref().unwrap_or(""))
            || buys(&raw.buttons.join(" "))
            || buys(&format!(
                "{} {} {}",
                visible_text[0].name.as_deref().unwrap_or(""),
                visible_text[0].id.as_deref().unwrap_or(""),
                visible_text[0].human_label()
            )));
    if one_plain_box && !shopping && (button.is_empty() || GO_WORDS.contains(&button.as_str())) {
        let said = if button.is_empty() {
            "a button without words".to_string()
        } else {
            format!("the button \"{button}\"")
        };
        return Some(format!("a single text box and {said}"));
    }
    None
}

/// Classifies a raw form region: its fields, then the form as a whole.
pub fn classify(raw: RawForm, page_title: &str, url: &Url) -> FormRegion {
    let mut types: Vec<FieldType> = Vec::new();
    let mut fields: Vec<Field> = Vec::new();
    let text_like = |f: &RawField| matches!(f.control, Control::Text | Control::TextArea);
    let visible_text_fields = raw
        .fields
        .iter()
        .filter(|f| f.visible && text_like(f))
        .count();
    let searches = searches(&raw);
    let first_text_box = raw.fields.iter().position(|f| {
        f.visible
            && f.control == Control::Text
            && matches!(f.constraints.input_type.as_str(), "text" | "search")
    });
    let captcha_boxes = raw
        .fields
        .iter()
        .filter(|f| captcha_compound(&Signals::of(f).machine))
        .count();
    for (i, f) in raw.fields.iter().enumerate() {
        let signals = Signals::of(f);
        let cx = FieldContext {
            earlier: &types,
            others_visible: visible_text_fields > usize::from(f.visible && text_like(f)),
            hidden_with: f.hidden_by.map_or(0, |by| {
                raw.fields
                    .iter()
                    .filter(|o| o.hidden_by == Some(by))
                    .count()
                    .saturating_sub(1)
            }),
            searches: searches.as_deref(),
            first_text_box: first_text_box == Some(i),
            captcha_boxes,
            after_other_choice: i > 0 && offers_other(&raw.fields[i - 1]),
        };
        let (field_type, reason) = field_type(f, &signals, &cx);
        types.push(field_type);
        let required_reason = if matches!(field_type, FieldType::Honeypot) {
            None
        } else {
            required_of(f)
        };
        fields.push(Field {
            name: f.name.clone(),
            id: f.id.clone(),
            control: f.control,
            label: f.human_label().to_string(),
            field_type,
            reason,
            required: required_reason.is_some(),
            required_reason,
            visible: f.visible,
            constraints: f.constraints.clone(),
            selector: f.selector.clone(),
            checked: f.checked,
            value: f.value.clone(),
        });
    }
    settle_name_pairs(&mut fields);
    let (kind, kind_reason) = form_kind(&raw, &fields, page_title, url);
    if kind == FormKind::Signup {
        credentials_required(&mut fields);
    }
    FormRegion {
        index: raw.index,
        kind,
        kind_reason,
        action: raw.action,
        method: raw.method,
        heading: raw.heading,
        submit: raw.submit,
        fields,
        selector: raw.selector,
    }
}

/// Why a credential counts as required on a form that marks nothing.
pub(crate) const CREDENTIALS_REASON: &str = "a signup needs it (the form marks nothing required)";

/// A signup form that marks nothing required (validation left to the server, as many
/// single-page apps do) still cannot go through without its credentials: a person knows
/// the e-mail address and password must be given.
fn credentials_required(fields: &mut [Field]) {
    if fields.iter().any(|f| f.required) {
        return;
    }
    for f in fields.iter_mut().filter(|f| f.visible) {
        if matches!(
            f.field_type,
            FieldType::Email
                | FieldType::EmailConfirm
                | FieldType::Password
                | FieldType::PasswordConfirm
        ) {
            f.required = true;
            f.required_reason = Some(CREDENTIALS_REASON.into());
        }
    }
}

/// "Nombre" + "Apellidos", "Prénom" + "Nom": a bare name beside its partner is the other half.
fn settle_name_pairs(fields: &mut [Field]) {
    let has = |fields: &[Field], t| fields.iter().any(|f| f.field_type == t);
    let (first, last) = (
        has(fields, FieldType::FirstName),
        has(fields, FieldType::LastName),
    );
    if first == last {
        return;
    }
    let becomes = if last {
        FieldType::FirstName
    } else {
        FieldType::LastName
    };
    if let Some(f) = fields
        .iter_mut()
        .find(|f| f.field_type == FieldType::FullName)
    {
        f.field_type = becomes;
        f.reason = format!(
            "{}; beside a {} field it is the other half of the name",
            f.reason,
            if last { "last-name" } else { "first-name" }
        );
    }
}

/// The first of a form's own texts — its button, other buttons, heading, name, action —
/// that names a signup or a login (and not both): (kind, why).
fn signup_or_login(raw: &RawForm) -> Option<(FormKind, String)> {
    let action = raw
        .action
        .as_deref()
        .map(|a| machine_words(&a.replace(['/', '-', '_', '.', '?', '=', '&'], " ")))
        .unwrap_or_default();
    let sources = [
        (
            "the button",
            normalize(raw.submit.as_ref().map_or("", |s| s.text.as_str())),
        ),
        ("a button", normalize(&raw.buttons.join(" "))),
        (
            "its heading",
            normalize(raw.heading.as_deref().unwrap_or("")),
        ),
        ("its name", machine_words(&raw.attributes)),
        ("its action", action),
    ];
    for (source, text) in sources {
        match (
            any_phrase(&text, SIGNUP_WORDS),
            any_phrase(&text, LOGIN_WORDS),
        ) {
            (Some(w), None) => return Some((FormKind::Signup, format!("{source} says \"{w}\""))),
            (None, Some(w)) => return Some((FormKind::Login, format!("{source} says \"{w}\""))),
            _ => {}
        }
    }
    None
}

/// An e-mail address and at most a name, a postcode, a birthday or opt-ins: the shape of
/// a mailing-list form, not of an account.
fn mailing_list_shape(visible: &[&Field]) -> bool {
    let email = visible
        .iter()
        .filter(|f| f.field_type == FieldType::Email)
        .count();
    email == 1
        && visible.len() <= 6
        && visible.iter().all(|f| {
            matches!(
                f.field_type,
                FieldType::Email
                    | FieldType::FullName
                    | FieldType::FirstName
                    | FieldType::LastName
                    | FieldType::MarketingOptIn
                    | FieldType::Country
                    | FieldType::Terms
                    | FieldType::Other
            )
        })
}

fn form_kind(raw: &RawForm, fields: &[Field], page_title: &str, url: &Url) -> (FormKind, String) {
    let has = |t: FieldType| fields.iter().any(|f| f.field_type == t);
    let count = |t: FieldType| fields.iter().filter(|f| f.field_type == t).count();
    let action_words = raw
        .action
        .as_deref()
        .map(|a| a.replace(['/', '-', '_', '.', '?', '='], " "))
        .unwrap_or_default();
    let own = normalize(&format!(
        "{} {} {} {}",
        raw.submit.as_ref().map_or("", |s| s.text.as_str()),
        raw.buttons.join(" "),
        raw.heading.as_deref().unwrap_or(""),
        raw.attributes
    ));
    let own_with_action = format!("{own} {}", machine_words(&action_words));
    let page = normalize(&format!(
        "{page_title} {}",
        url.path().replace(['/', '-', '_'], " ")
    ));
    let says = |table: &[&'static str]| any_phrase(&own_with_action, table);
    let button = normalize(raw.submit.as_ref().map_or("", |s| s.text.as_str()));
    let visible_inputs: Vec<&Field> = fields
        .iter()
        .filter(|f| f.visible && !matches!(f.field_type, FieldType::Honeypot | FieldType::Captcha))
        .collect();
    let r = |k: FormKind, why: String| (k, why);

    let cards =
        has(FieldType::CardNumber) || (has(FieldType::CardExpiry) && has(FieldType::CardCvc));
    if cards
        && has(FieldType::Password)
        && (has(FieldType::PasswordConfirm) || has(FieldType::Username))
    {
        return r(
            FormKind::Signup,
            "asks for card details and makes an account (a new password)".into(),
        );
    }
    if cards {
        return r(FormKind::Payment, "asks for card details".into());
    }
    let passwords = count(FieldType::Password);
    if passwords + count(FieldType::PasswordConfirm) > 0 {
        let reset = says(RESET_WORDS);
        if has(FieldType::PasswordConfirm) {
            if let Some(w) = reset.filter(|_| !has(FieldType::Email) || passwords == 0) {
                return r(
                    FormKind::PasswordReset,
                    format!("a new password twice, and \"{w}\""),
                );
            }
            return r(FormKind::Signup, "asks for the password twice".into());
        }
        // The button speaks loudest: "Sign in" on a form with a name field is still a login.
        if let Some(w) = any_phrase(&button, SIGNUP_WORDS) {
            return r(
                FormKind::Signup,
                format!("a password field and the button \"{w}\""),
            );
        }
        if let Some(w) = any_phrase(&button, LOGIN_WORDS) {
            return r(
                FormKind::Login,
                format!("a password field and the button \"{w}\""),
            );
        }
        if let Some(w) = reset {
            return r(
                FormKind::PasswordReset,
                format!("a password field and \"{w}\""),
            );
        }
        let signup_fields: Vec<&str> = fields
            .iter()
            .filter(|f| {
                matches!(
                    f.field_type,
                    FieldType::FirstName
                        | FieldType::LastName
                        | FieldType::FullName
                        | FieldType::Terms
                        | FieldType::EmailConfirm
                        | FieldType::Company
                        | FieldType::Phone
                        | FieldType::CompanySize
                        | FieldType::JobTitle
                )
            })
            .map(|f| f.field_type.as_str())
            .collect();
        if has(FieldType::RememberMe) {
            return r(
                FormKind::Login,
                "a password field with \"remember me\"".into(),
            );
        }
        if let Some((kind, why)) = signup_or_login(raw) {
            return r(kind, format!("a password field and {why}"));
        }
        if !signup_fields.is_empty() {
            return r(
                FormKind::Signup,
                format!("a password field beside {}", signup_fields.join(", ")),
            );
        }
        if let Some(w) = any_phrase(&page, SIGNUP_WORDS) {
            return r(
                FormKind::Signup,
                format!("a password field on a page about \"{w}\""),
            );
        }
        return r(
            FormKind::Login,
            "a password field and an identifier, nothing more".into(),
        );
    }

    let personal = [
        FieldType::Email,
        FieldType::Username,
        FieldType::Phone,
        FieldType::FullName,
        FieldType::FirstName,
        FieldType::LastName,
        FieldType::Message,
    ]
    .into_iter()
    .any(has);
    if has(FieldType::Search) && visible_inputs.len() <= 2 {
        return r(FormKind::Search, "a search box".into());
    }
    if has(FieldType::Search) && !personal {
        return r(
            FormKind::Search,
            "a search box among filters, nothing personal".into(),
        );
    }
    if let Some(why) = searches(raw).filter(|_| !personal) {
        return r(
            FormKind::Search,
            format!("{why}, and it asks for nothing personal"),
        );
    }
    let identifies = has(FieldType::Email) || has(FieldType::Username);
    if identifies && visible_inputs.len() <= 2 {
        if let Some(w) = says(RESET_WORDS).or_else(|| any_phrase(&page, RESET_WORDS)) {
            return r(
                FormKind::PasswordReset,
                format!("an email field and \"{w}\""),
            );
        }
    }
    if let Some(w) = says(WAITLIST_WORDS) {
        return r(FormKind::Waitlist, format!("\"{w}\""));
    }
    let business = has(FieldType::Company)
        || has(FieldType::Phone)
        || has(FieldType::JobTitle)
        || has(FieldType::CompanySize);
    if let Some(w) = says(DEMO_WORDS) {
        if business || has(FieldType::Email) {
            return r(
                FormKind::DemoRequest,
                format!("\"{w}\" with contact details"),
            );
        }
    }
    let identifies_person = has(FieldType::Email)
        || has(FieldType::FullName)
        || has(FieldType::FirstName)
        || has(FieldType::Username);
    let mailing_list = says(NEWSLETTER_WORDS).is_some() && says(ACCOUNT_WORDS).is_none();
    if let Some(w) = any_phrase(&button, SIGNUP_WORDS).filter(|_| identifies_person) {
        if !mailing_list_shape(&visible_inputs) && !mailing_list {
            return r(
                FormKind::Signup,
                format!("the button \"{w}\" on a form that asks who you are"),
            );
        }
    }
    let nothing_to_type = fields
        .iter()
        .all(|f| matches!(f.control, Control::Checkbox | Control::Radio));
    if nothing_to_type {
        // Said by what a person reads (a button, a heading), not only by an action URL.
        let said = signup_or_login(raw).filter(|(_, why)| {
            ["the button", "a button", "its heading"]
                .iter()
                .any(|source| why.starts_with(source))
        });
        if let Some((FormKind::Signup, why)) = said {
            return r(
                FormKind::Signup,
                format!("{why}, and nothing to type: a step of a signup"),
            );
        }
    }
    if has(FieldType::Message) && (has(FieldType::Email) || has(FieldType::Phone)) {
        return r(
            FormKind::Contact,
            "a message box with contact details".into(),
        );
    }
    if let Some(w) = says(NEWSLETTER_WORDS) {
        if has(FieldType::Email) {
            return r(FormKind::Newsletter, format!("an email field and \"{w}\""));
        }
    }
    if let Some(w) = says(SIGNUP_WORDS) {
        if GENERIC_SIGNUP.contains(&w)
            && mailing_list_shape(&visible_inputs)
            && says(ACCOUNT_WORDS).is_none()
        {
            return r(
                FormKind::Newsletter,
                format!("\"{w}\" for an e-mail address and no password or account: a mailing list"),
            );
        }
        if identifies_person {
            return r(
                FormKind::Signup,
                format!("\"{w}\" without a password (the first step of a signup)"),
            );
        }
    }
    if let Some(w) = says(LOGIN_WORDS) {
        if identifies {
            return r(
                FormKind::Login,
                format!("an identifier and \"{w}\" without a password"),
            );
        }
    }
    if has(FieldType::Email)
        && visible_inputs.iter().all(|f| {
            matches!(
                f.field_type,
                FieldType::Email
                    | FieldType::FullName
                    | FieldType::FirstName
                    | FieldType::MarketingOptIn
            )
        })
    {
        return r(
            FormKind::Newsletter,
            "only an email address is asked for".into(),
        );
    }
    if let Some(w) = says(CONTACT_WORDS) {
        return r(FormKind::Contact, format!("\"{w}\""));
    }
    if has(FieldType::Message) {
        return r(FormKind::Contact, "a message box".into());
    }
    r(FormKind::Other, "no signal names its purpose".into())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn machine_names_split_into_words() {
        assert_eq!(
            machine_words("user[email_confirmation]"),
            "user email confirmation"
        );
        assert_eq!(machine_words("fName"), "f name");
        assert_eq!(machine_words("password2"), "password 2");
        assert_eq!(machine_words("signup-form"), "signup form");
    }

    #[test]
    fn a_captcha_sum_needs_numbers_on_both_sides() {
        assert!(poses_sum("6 + 3 =").is_some());
        assert!(poses_sum("What is 1 plus 1 (1+1=?)").is_some());
        assert!(poses_sum("Press the access key plus 0 to focus").is_none());
        assert!(poses_sum("Phone (+49 30 1234)").is_none());
    }

    fn types_of(html: &str) -> Vec<(String, FieldType)> {
        let url = url::Url::parse("https://app.example.com/new").unwrap();
        crate::forms::read_forms(html, &url)[0]
            .fields
            .iter()
            .map(|f| (f.label.clone(), f.field_type))
            .collect()
    }

    #[test]
    fn a_site_title_is_a_name_not_a_website_address() {
        let t = types_of(
            r#"<form><label>Site title <input name="title"></label>
               <label>Site address <input name="site_url"></label><button>Launch</button></form>"#,
        );
        assert_eq!(t[0].1, FieldType::Other, "{t:?}");
        assert_eq!(t[1].1, FieldType::Website, "{t:?}");
    }

    #[test]
    fn a_hidden_box_after_a_choice_offering_other_is_conditional_not_a_honeypot() {
        let t = types_of(
            r#"<form><label>Email <input type="email" name="email"></label>
               <label>How did you hear about us?
                 <select name="source"><option>Search engine</option><option>Friend</option><option>Other</option></select></label>
               <div style="display:none"><label>Please specify <input name="source_other"></label></div>
               <div style="position:absolute;left:-9999px"><input name="website" tabindex="-1"></div>
               <button>Sign up</button></form>"#,
        );
        assert_eq!(t[2].1, FieldType::Other, "{t:?}");
        assert_eq!(t[3].1, FieldType::Honeypot, "{t:?}");
    }

    #[test]
    fn a_username_or_email_label_offers_a_choice() {
        assert!(offers_a_choice("email username", "Email/Username"));
        assert!(offers_a_choice("login ili email", "Login или email"));
        assert!(!offers_a_choice(
            "your email address is your username",
            "(Your Email Address is your Username)"
        ));
    }
}

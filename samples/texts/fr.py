"""French hand-written sample documents and the French pieces of generated noise."""

LANG = "fr"

DOCS = [
    {
        "category": "news",
        "title": "Le marché couvert rouvre après deux ans de travaux",
        "text": """\
Le marché couvert rouvre après deux ans de travaux

Le marché couvert du centre-ville a rouvert ses portes samedi matin, après deux ans de rénovation. Dès l'ouverture, une longue file d'attente s'était formée devant les étals des maraîchers et des fromagers.

La charpente métallique d'origine a été entièrement restaurée et une nouvelle verrière laisse désormais entrer la lumière naturelle. Les commerçants disposent aussi de chambres froides modernes, ce qui devrait limiter le gaspillage.

Certains habitués regrettent toutefois la hausse des loyers demandés aux vendeurs. La mairie assure que les prix resteront accessibles et qu'une partie des emplacements sera réservée aux petits producteurs locaux.
""",
    },
    {
        "category": "news",
        "title": "Canicule : les écoles adaptent leurs horaires",
        "text": """\
Canicule : les écoles adaptent leurs horaires

Face à la vague de chaleur qui touche la région depuis lundi, plusieurs écoles ont décidé de commencer les cours plus tôt le matin et de libérer les élèves en début d'après-midi. Les sorties scolaires prévues cette semaine ont été reportées.

Les températures devraient dépasser les trente-huit degrés jeudi, selon les services de météorologie. Les autorités recommandent de boire régulièrement, de fermer les volets pendant la journée et de prendre des nouvelles des personnes âgées isolées.

Les parents d'élèves demandent depuis longtemps que les salles de classe les plus exposées soient mieux isolées. La commune promet un plan de rénovation pour l'année prochaine.
""",
    },
    {
        "category": "forum",
        "title": "Mon vélo fait un bruit de claquement en montée",
        "text": """\
Mon vélo fait un bruit de claquement en montée

Bonjour à tous, depuis quelques jours mon vélo de ville fait un petit claquement à chaque coup de pédale, surtout dans les montées. J'ai déjà graissé la chaîne, mais le bruit est toujours là. Est-ce que quelqu'un a déjà eu ce problème ?

Réponse : Vérifie d'abord que les pédales sont bien serrées sur les manivelles. Chez moi, c'était exactement ce symptôme et un simple coup de clé a suffi.

Réponse : Ça peut aussi venir du boîtier de pédalier qui commence à s'user. Si le bruit continue, un vélociste pourra le vérifier en quelques minutes.
""",
    },
    {
        "category": "forum",
        "title": "Quel livre pour apprendre la photographie ?",
        "text": """\
Quel livre pour apprendre la photographie ?

Je viens d'acheter mon premier appareil photo reflex et je me sens un peu perdu avec tous les réglages. Je cherche un livre clair pour comprendre l'ouverture, la vitesse et la sensibilité, sans trop de jargon technique. Vous avez des conseils ?

Réponse : Commence plutôt par sortir tous les jours avec ton appareil en mode priorité ouverture. Tu comprendras beaucoup plus vite en regardant tes propres photos qu'en lisant de longues explications.

Réponse : Les livres de photographie de rue m'ont beaucoup aidé à travailler le cadrage. La technique vient avec le temps, mais l'œil se forme en regardant les images des autres.
""",
    },
    {
        "category": "encyclopedic",
        "title": "Le Rhône",
        "text": """\
Le Rhône

Le Rhône est un fleuve d'Europe occidentale qui prend sa source dans un glacier des Alpes suisses. Il traverse le lac Léman, puis coule vers le sud à travers la France jusqu'à la mer Méditerranée, où il forme un vaste delta appelé la Camargue.

Le fleuve a longtemps été une voie commerciale importante entre le nord de l'Europe et les ports du sud. Au vingtième siècle, de nombreux barrages ont été construits sur son cours pour produire de l'électricité et faciliter la navigation.

La Camargue abrite des marais, des étangs salés et une faune remarquable, notamment des flamants roses et des chevaux blancs. Une grande partie du delta est aujourd'hui protégée.
""",
    },
    {
        "category": "markdown",
        "title": "Guide de contribution",
        "text": """\
# Guide de contribution

Merci de vouloir contribuer à ce projet ! Ce guide explique comment proposer une modification.

## Avant de commencer

- Vérifiez qu'aucun ticket ne traite déjà du même sujet.
- Pour une modification importante, ouvrez d'abord une discussion afin d'en parler avec l'équipe.

## Proposer une modification

Créez une branche à partir de la branche principale, puis lancez les tests avant d'envoyer votre demande :

```bash
git switch -c ma-correction
pytest -q
```

Décrivez clairement le problème résolu et la manière dont vous l'avez vérifié. Les relecteurs répondent en général dans la semaine.
""",
    },
    {
        "category": "math",
        "title": "La dérivée d'un produit",
        "text": """\
La dérivée d'un produit

Soient $f$ et $g$ deux fonctions dérivables sur un intervalle. La dérivée de leur produit est donnée par la formule
$$(f g)' = f' g + f g'.$$

Pour la démontrer, on écrit le taux d'accroissement du produit et on ajoute puis on retranche le terme $f(x+h) g(x)$. On obtient alors deux quotients dont les limites sont respectivement $f'(x) g(x)$ et $f(x) g'(x)$ lorsque $h$ tend vers zéro.

Par exemple, si $f(x) = x^2$ et $g(x) = \\sin x$, on trouve $(x^2 \\sin x)' = 2x \\sin x + x^2 \\cos x$. Cette règle se généralise au produit de plusieurs fonctions.
""",
    },
    {
        "category": "legal",
        "title": "Conditions générales de vente : responsabilité",
        "text": """\
Conditions générales de vente : responsabilité

Le vendeur ne saurait être tenu pour responsable de l'inexécution du contrat en cas de force majeure, de perturbation ou de grève totale ou partielle des services postaux et des moyens de transport.

Les photographies et les textes illustrant les produits n'ont pas de valeur contractuelle. La responsabilité du vendeur ne pourra être engagée si des erreurs s'y sont introduites.

Toute réclamation doit être adressée au service client dans un délai de trente jours suivant la réception de la commande. Les présentes conditions sont soumises au droit français.
""",
    },
]

BOILERPLATE = {
    "nav": "Accueil | Actualités | Sport | Économie | Culture | Contact",
    "cookie": "Nous utilisons des cookies pour améliorer votre expérience sur notre site. En poursuivant votre navigation, vous acceptez leur utilisation. Tout accepter | Paramétrer",
    "footer": "Tous droits réservés. Mentions légales | Politique de confidentialité | Plan du site",
}

PII_TEMPLATES = [
    "Pour toute question, écrivez à {email} ou appelez le {phone}.",
    "Notre bureau est joignable au {phone} du lundi au vendredi.",
    "Selon le journal du serveur, la demande venait de l'adresse {ipv4}.",
    "Merci d'effectuer le virement sur le compte {iban}.",
]

SHORT = ["Merci !", "Page introuvable.", "Cliquez ici", "Lire la suite"]

SPAM_KEYWORDS = ["crédit pas cher", "bonus gratuit", "maigrir vite", "meilleur prix", "acheter maintenant"]

SPAM_LINE = "Cliquez ici maintenant pour recevoir votre cadeau gratuit avant qu'il ne soit trop tard !"

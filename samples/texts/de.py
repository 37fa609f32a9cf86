"""German hand-written sample documents and the German pieces of generated noise."""

LANG = "de"

DOCS = [
    {
        "category": "news",
        "title": "Stadt testet Rufbusse in den Außenbezirken",
        "text": """\
Stadt testet Rufbusse in den Außenbezirken

Ab dem kommenden Monat können Fahrgäste in drei Außenbezirken kleine Busse per App oder Telefon bestellen. Die Fahrzeuge fahren keine festen Linien, sondern sammeln die Fahrgäste an virtuellen Haltestellen in der Nähe ihrer Wohnung ein.

Der Versuch ist zunächst auf ein Jahr angelegt und wird vom Land gefördert. Besonders ältere Menschen, die abends kaum noch einen Bus erreichen, sollen davon profitieren.

Kritiker bemängeln, dass die Buchung ohne Smartphone zu umständlich sei. Die Verkehrsbetriebe versprechen, die Telefonzentrale bis spät in den Abend zu besetzen.
""",
    },
    {
        "category": "news",
        "title": "Hochwasser: Pegel am Fluss sinkt langsam",
        "text": """\
Hochwasser: Pegel am Fluss sinkt langsam

Nach tagelangem Regen sinkt der Wasserstand des Flusses seit Mittwochmorgen wieder. Die Feuerwehr hat die Sandsäcke entlang der Uferpromenade aber noch nicht abgebaut, weil für das Wochenende erneut Niederschläge angekündigt sind.

In der Altstadt standen mehrere Keller unter Wasser, verletzt wurde nach Angaben der Behörden niemand. Die Schulen in den betroffenen Straßen bleiben bis Freitag geschlossen.

Der Bürgermeister dankte den vielen freiwilligen Helfern, die bis tief in die Nacht Sandsäcke gefüllt hatten. Die Stadt will nun prüfen, ob die Schutzmauer an der Brücke erhöht werden muss.
""",
    },
    {
        "category": "forum",
        "title": "Tomaten bekommen gelbe Blätter – was tun?",
        "text": """\
Tomaten bekommen gelbe Blätter – was tun?

Hallo zusammen, meine Tomatenpflanzen auf dem Balkon bekommen seit einer Woche gelbe Blätter, zuerst ganz unten und jetzt auch weiter oben. Ich gieße jeden Abend und habe vor zwei Wochen gedüngt. Hat jemand eine Idee, woran das liegen könnte?

Antwort: Das klingt nach zu viel Wasser. Tomaten mögen es nicht, wenn die Erde dauernd nass ist. Lass die oberste Schicht zwischen dem Gießen antrocknen und entferne die gelben Blätter, damit sich keine Pilze ausbreiten.

Antwort: Bei mir war es Stickstoffmangel. Nach einer Gabe Brennnesseljauche waren die neuen Blätter wieder schön grün.
""",
    },
    {
        "category": "forum",
        "title": "Erfahrungen mit Wärmepumpe im Altbau?",
        "text": """\
Erfahrungen mit Wärmepumpe im Altbau?

Wir überlegen, in unserem Haus aus den Fünfzigerjahren die alte Ölheizung durch eine Wärmepumpe zu ersetzen. Die Wände sind nur teilweise gedämmt und wir haben normale Heizkörper, keine Fußbodenheizung. Lohnt sich das überhaupt, oder wird der Stromverbrauch zu hoch?

Antwort: Wir haben genau das vor zwei Jahren gemacht. Wichtig war ein ordentlicher hydraulischer Abgleich und zwei größere Heizkörper im Wohnzimmer. Seitdem läuft die Anlage mit niedriger Vorlauftemperatur und die Kosten sind niedriger als vorher.

Antwort: Lass dir unbedingt eine Heizlastberechnung machen, bevor du ein Gerät kaufst. Viele Anlagen werden viel zu groß ausgelegt.
""",
    },
    {
        "category": "encyclopedic",
        "title": "Rotkehlchen",
        "text": """\
Rotkehlchen

Das Rotkehlchen ist ein kleiner Singvogel aus der Familie der Fliegenschnäpper. Es ist in weiten Teilen Europas verbreitet und leicht an seiner orangeroten Brust und Kehle zu erkennen. Männchen und Weibchen sehen fast gleich aus.

Rotkehlchen ernähren sich vor allem von Insekten, Spinnen und Würmern, im Herbst und Winter fressen sie auch Beeren. Im Garten folgen sie oft Menschen, die die Erde umgraben, um aufgescheuchte Tiere zu erbeuten.

Auffällig ist, dass Rotkehlchen fast das ganze Jahr über singen, auch im Winter. Mit ihrem Gesang verteidigen sowohl Männchen als auch Weibchen ihr Revier.
""",
    },
    {
        "category": "markdown",
        "title": "Anleitung: Projekt lokal einrichten",
        "text": """\
# Projekt lokal einrichten

Diese Anleitung beschreibt, wie du das Projekt auf deinem Rechner installierst und die Tests ausführst.

## Voraussetzungen

- Eine aktuelle Version von Python und Git
- Etwa zwei Gigabyte freier Speicherplatz

## Schritte

1. Klone das Repository und wechsle in den neuen Ordner.
2. Lege eine virtuelle Umgebung an und installiere die Abhängigkeiten:

```bash
python -m venv .venv
.venv/bin/pip install -e .
```

3. Starte die Tests mit `pytest`. Wenn alles grün ist, kannst du loslegen.

Bei Problemen öffne bitte ein Ticket und beschreibe genau, welche Fehlermeldung erscheint.
""",
    },
    {
        "category": "math",
        "title": "Der Satz des Pythagoras",
        "text": """\
Der Satz des Pythagoras

In einem rechtwinkligen Dreieck mit den Katheten $a$ und $b$ und der Hypotenuse $c$ gilt
$$a^2 + b^2 = c^2.$$

Ein anschaulicher Beweis zerlegt ein großes Quadrat mit der Seitenlänge $a + b$ auf zwei verschiedene Arten. Einmal enthält es vier gleiche Dreiecke und ein Quadrat der Fläche $c^2$, das andere Mal dieselben vier Dreiecke und zwei Quadrate der Flächen $a^2$ und $b^2$.

Daraus folgt zum Beispiel, dass der Abstand zweier Punkte $(x_1, y_1)$ und $(x_2, y_2)$ in der Ebene durch $\\sqrt{(x_2 - x_1)^2 + (y_2 - y_1)^2}$ gegeben ist. Die Umkehrung des Satzes gilt ebenfalls: Erfüllen drei Seiten die Gleichung, so ist das Dreieck rechtwinklig.
""",
    },
    {
        "category": "legal",
        "title": "Allgemeine Geschäftsbedingungen: Widerrufsrecht",
        "text": """\
Allgemeine Geschäftsbedingungen: Widerrufsrecht

Verbraucher haben das Recht, binnen vierzehn Tagen ohne Angabe von Gründen diesen Vertrag zu widerrufen. Die Widerrufsfrist beträgt vierzehn Tage ab dem Tag, an dem Sie oder ein von Ihnen benannter Dritter die Waren in Besitz genommen haben.

Um Ihr Widerrufsrecht auszuüben, müssen Sie uns mittels einer eindeutigen Erklärung über Ihren Entschluss informieren. Zur Wahrung der Frist reicht es aus, dass Sie die Mitteilung vor Ablauf der Widerrufsfrist absenden.

Wenn Sie diesen Vertrag widerrufen, haben wir Ihnen alle Zahlungen, die wir von Ihnen erhalten haben, unverzüglich zurückzuzahlen. Die unmittelbaren Kosten der Rücksendung der Waren tragen Sie.
""",
    },
]

BOILERPLATE = {
    "nav": "Startseite | Politik | Wirtschaft | Sport | Kultur | Kontakt",
    "cookie": "Wir verwenden Cookies, um Ihnen das beste Erlebnis auf unserer Website zu bieten. Wenn Sie weitersurfen, stimmen Sie der Verwendung von Cookies zu. Alle akzeptieren | Einstellungen",
    "footer": "Alle Rechte vorbehalten. Impressum | Datenschutz | Nutzungsbedingungen",
}

PII_TEMPLATES = [
    "Bei Fragen schreiben Sie bitte an {email} oder rufen Sie uns unter {phone} an.",
    "Unser Büro ist telefonisch unter {phone} erreichbar.",
    "Laut Protokoll kam die Anfrage von der Adresse {ipv4}.",
    "Bitte überweisen Sie den Betrag auf das Konto {iban}.",
    "Die Zahlung erfolgte mit der Kreditkarte {credit_card}.",
]

SHORT = ["Danke!", "Seite nicht gefunden.", "Hier klicken", "Weiterlesen"]

SPAM_KEYWORDS = ["günstige Kredite", "Gratis Bonus", "schnell abnehmen", "bester Preis", "jetzt kaufen"]

SPAM_LINE = "Jetzt klicken und den kostenlosen Gewinn sichern, bevor es zu spät ist!"

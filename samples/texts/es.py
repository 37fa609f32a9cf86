"""Spanish hand-written sample documents and the Spanish pieces of generated noise."""

LANG = "es"

DOCS = [
    {
        "category": "news",
        "title": "El ayuntamiento planta mil árboles en los barrios del sur",
        "text": """\
El ayuntamiento planta mil árboles en los barrios del sur

El ayuntamiento ha comenzado esta semana a plantar mil árboles en los barrios del sur de la ciudad, donde apenas hay zonas verdes. Los vecinos han elegido las calles en una votación abierta celebrada durante el invierno.

Las especies seleccionadas resisten bien la sequía y darán sombra en verano sin levantar las aceras con sus raíces. Cada árbol contará con un sistema de riego por goteo durante los dos primeros años.

Las asociaciones vecinales celebran la iniciativa, aunque piden que se cuide también el mantenimiento. En otras ocasiones, recuerdan, muchos árboles jóvenes se secaron por falta de agua.
""",
    },
    {
        "category": "news",
        "title": "Un equipo de estudiantes gana el concurso nacional de robótica",
        "text": """\
Un equipo de estudiantes gana el concurso nacional de robótica

Cinco estudiantes de un instituto público han ganado el concurso nacional de robótica con un pequeño robot capaz de clasificar residuos. El jurado destacó la sencillez del diseño y el bajo coste de los materiales empleados.

Los jóvenes trabajaron durante meses por las tardes, después de clase, con la ayuda de su profesora de tecnología. Muchas de las piezas del robot las imprimieron ellos mismos en el taller del centro.

Con el premio viajarán en otoño a una competición internacional. Mientras tanto, quieren mejorar el sensor de color, que todavía confunde algunos envases de plástico.
""",
    },
    {
        "category": "forum",
        "title": "¿Cómo quitar la humedad de un armario?",
        "text": """\
¿Cómo quitar la humedad de un armario?

Hola a todos. Vivo en un piso bajo cerca del mar y el armario del dormitorio huele a humedad. Algunas prendas han salido con manchas pequeñas de moho. ¿Alguien sabe cómo solucionarlo sin gastar mucho dinero?

Respuesta: A mí me funcionó dejar las puertas del armario abiertas un rato cada día y poner dentro unas bolsitas de sal gruesa o de arroz. También conviene separar un poco el armario de la pared para que circule el aire.

Respuesta: Si el problema es grave, compra un deshumidificador pequeño. Notarás la diferencia en una semana, y la ropa dejará de oler mal.
""",
    },
    {
        "category": "forum",
        "title": "Recomendaciones para una ruta de senderismo fácil",
        "text": """\
Recomendaciones para una ruta de senderismo fácil

Este fin de semana quiero hacer mi primera ruta de senderismo con unos amigos. Ninguno tiene mucha experiencia, así que buscamos algo de unas tres o cuatro horas, sin grandes desniveles y con algún sitio bonito para comer.

Respuesta: Os recomiendo la ruta que sigue el río desde el pueblo hasta la cascada. Es casi llana, hay sombra casi todo el camino y al final encontraréis unas mesas de piedra junto al agua.

Respuesta: Llevad agua de sobra y un calzado cómodo que ya hayáis usado antes. Y mirad el pronóstico del tiempo, porque en la montaña cambia muy rápido.
""",
    },
    {
        "category": "encyclopedic",
        "title": "El olivo",
        "text": """\
El olivo

El olivo es un árbol de hoja perenne originario de la cuenca del Mediterráneo. Puede vivir durante muchos siglos y su tronco, retorcido y grueso, se vuelve hueco con la edad. Sus hojas son estrechas, de color verde oscuro por el haz y plateado por el envés.

Del fruto del olivo, la aceituna, se obtiene el aceite de oliva, que es una parte esencial de la cocina mediterránea. La recolección tiene lugar entre el otoño y el invierno, según la variedad y el uso al que se destine.

Desde la Antigüedad, el olivo ha sido símbolo de paz y de sabiduría. Hoy se cultiva también en otras regiones del mundo con clima templado y veranos secos.
""",
    },
    {
        "category": "markdown",
        "title": "Notas de la versión",
        "text": """\
# Notas de la versión

Esta versión mejora el rendimiento y corrige varios errores que nos habéis comunicado.

## Novedades

- La búsqueda ahora ignora las tildes y las mayúsculas.
- Se pueden exportar los informes en formato de hoja de cálculo.

## Errores corregidos

- La aplicación ya no se cierra al abrir un archivo vacío.
- Las fechas se muestran correctamente en el calendario semanal.

Para actualizar, ejecuta el siguiente comando y reinicia la aplicación:

```bash
pip install --upgrade notas-app
```

Gracias a todas las personas que han probado las versiones preliminares.
""",
    },
    {
        "category": "math",
        "title": "La fórmula de la ecuación de segundo grado",
        "text": """\
La fórmula de la ecuación de segundo grado

Una ecuación de segundo grado tiene la forma $a x^2 + b x + c = 0$ con $a \\neq 0$. Sus soluciones vienen dadas por la conocida fórmula
$$x = \\frac{-b \\pm \\sqrt{b^2 - 4ac}}{2a}.$$

La expresión $\\Delta = b^2 - 4ac$ se llama discriminante. Si es positivo, la ecuación tiene dos soluciones reales distintas; si es cero, tiene una solución doble; y si es negativo, no tiene soluciones reales.

La fórmula se obtiene completando el cuadrado. Se divide toda la ecuación entre $a$, se suma a ambos lados el término adecuado y después se despeja la incógnita.
""",
    },
    {
        "category": "legal",
        "title": "Política de privacidad: derechos del usuario",
        "text": """\
Política de privacidad: derechos del usuario

El usuario podrá ejercer en cualquier momento los derechos de acceso, rectificación, supresión y oposición al tratamiento de sus datos personales. Para ello deberá dirigir una solicitud por escrito al responsable del tratamiento.

Los datos se conservarán únicamente durante el tiempo necesario para cumplir con la finalidad para la que fueron recogidos y para atender las obligaciones legales que correspondan.

Si el usuario considera que el tratamiento no se ajusta a la normativa vigente, podrá presentar una reclamación ante la autoridad de control competente.
""",
    },
]

BOILERPLATE = {
    "nav": "Inicio | Noticias | Deportes | Economía | Cultura | Contacto",
    "cookie": "Utilizamos cookies para mejorar su experiencia en nuestro sitio web. Si continúa navegando, acepta su uso. Aceptar todo | Configurar",
    "footer": "Todos los derechos reservados. Aviso legal | Política de privacidad | Mapa del sitio",
}

PII_TEMPLATES = [
    "Si tiene preguntas, escriba a {email} o llame al {phone}.",
    "Nuestra oficina atiende en el teléfono {phone} por las mañanas.",
    "Según el registro del servidor, la petición llegó desde la dirección {ipv4}.",
    "Puede pagar con la tarjeta {credit_card} o por transferencia a la cuenta {iban}.",
]

SHORT = ["¡Gracias!", "Página no encontrada.", "Haga clic aquí", "Leer más"]

SPAM_KEYWORDS = ["préstamos baratos", "bono gratis", "adelgazar rápido", "mejor precio", "compra ya"]

SPAM_LINE = "¡Haga clic ahora para reclamar su premio gratis antes de que sea tarde!"

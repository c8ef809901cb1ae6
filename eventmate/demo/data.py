"""Word lists and reference data the demo generator draws from.

Everything here is plain data: the cities are real (names, regions, coordinates, IANA time
zones); people, venues and events are invented from the lists below.
"""

from dataclasses import dataclass, field


@dataclass(frozen=True)
class DemoCity:
    slug: str
    name: str
    region: str
    country: str
    latitude: float
    longitude: float
    timezone: str
    is_featured: bool = False
    # Relative share of the events: big event markets get more.
    weight: int = 2


# slug | name | region | country | latitude | longitude | IANA time zone | featured | weight
# The first five are the cities the rest of the project (and its load tests) refer to by slug;
# `--cities N` always keeps them.
_CITY_TABLE = """
new-york|New York|New York|United States|40.7128|-74.0060|America/New_York|yes|10
los-angeles|Los Angeles|California|United States|34.0522|-118.2437|America/Los_Angeles|yes|8
chicago|Chicago|Illinois|United States|41.8781|-87.6298|America/Chicago|yes|6
houston|Houston|Texas|United States|29.7604|-95.3698|America/Chicago|no|4
phoenix|Phoenix|Arizona|United States|33.4484|-112.0740|America/Phoenix|no|3
san-francisco|San Francisco|California|United States|37.7749|-122.4194|America/Los_Angeles|yes|5
seattle|Seattle|Washington|United States|47.6062|-122.3321|America/Los_Angeles|no|3
austin|Austin|Texas|United States|30.2672|-97.7431|America/Chicago|yes|4
boston|Boston|Massachusetts|United States|42.3601|-71.0589|America/New_York|no|3
miami|Miami|Florida|United States|25.7617|-80.1918|America/New_York|no|3
denver|Denver|Colorado|United States|39.7392|-104.9903|America/Denver|no|2
nashville|Nashville|Tennessee|United States|36.1627|-86.7816|America/Chicago|no|3
new-orleans|New Orleans|Louisiana|United States|29.9511|-90.0715|America/Chicago|no|2
toronto|Toronto|Ontario|Canada|43.6532|-79.3832|America/Toronto|yes|4
vancouver|Vancouver|British Columbia|Canada|49.2827|-123.1207|America/Vancouver|no|2
montreal|Montréal|Quebec|Canada|45.5017|-73.5673|America/Toronto|no|2
mexico-city|Mexico City|Mexico City|Mexico|19.4326|-99.1332|America/Mexico_City|no|3
sao-paulo|São Paulo|São Paulo|Brazil|-23.5505|-46.6333|America/Sao_Paulo|no|3
buenos-aires|Buenos Aires|CABA|Argentina|-34.6037|-58.3816|America/Argentina/Buenos_Aires|no|2
london|London|England|United Kingdom|51.5074|-0.1278|Europe/London|yes|8
paris|Paris|Île-de-France|France|48.8566|2.3522|Europe/Paris|yes|6
berlin|Berlin|Berlin|Germany|52.5200|13.4050|Europe/Berlin|yes|5
amsterdam|Amsterdam|North Holland|Netherlands|52.3676|4.9041|Europe/Amsterdam|no|3
barcelona|Barcelona|Catalonia|Spain|41.3874|2.1686|Europe/Madrid|no|3
madrid|Madrid|Community of Madrid|Spain|40.4168|-3.7038|Europe/Madrid|no|2
rome|Rome|Lazio|Italy|41.9028|12.4964|Europe/Rome|no|2
lisbon|Lisbon|Lisbon|Portugal|38.7223|-9.1393|Europe/Lisbon|no|2
dublin|Dublin|Leinster|Ireland|53.3498|-6.2603|Europe/Dublin|no|2
stockholm|Stockholm|Stockholm County|Sweden|59.3293|18.0686|Europe/Stockholm|no|1
copenhagen|Copenhagen|Capital Region|Denmark|55.6761|12.5683|Europe/Copenhagen|no|1
vienna|Vienna|Vienna|Austria|48.2082|16.3738|Europe/Vienna|no|1
prague|Prague|Prague|Czechia|50.0755|14.4378|Europe/Prague|no|1
tokyo|Tokyo|Tokyo|Japan|35.6762|139.6503|Asia/Tokyo|yes|6
seoul|Seoul|Seoul|South Korea|37.5665|126.9780|Asia/Seoul|no|3
singapore|Singapore||Singapore|1.3521|103.8198|Asia/Singapore|no|3
bangkok|Bangkok|Bangkok|Thailand|13.7563|100.5018|Asia/Bangkok|no|2
mumbai|Mumbai|Maharashtra|India|19.0760|72.8777|Asia/Kolkata|no|3
dubai|Dubai|Dubai|United Arab Emirates|25.2048|55.2708|Asia/Dubai|no|2
sydney|Sydney|New South Wales|Australia|-33.8688|151.2093|Australia/Sydney|yes|4
melbourne|Melbourne|Victoria|Australia|-37.8136|144.9631|Australia/Melbourne|no|3
auckland|Auckland|Auckland|New Zealand|-36.8485|174.7633|Pacific/Auckland|no|1
cape-town|Cape Town|Western Cape|South Africa|-33.9249|18.4241|Africa/Johannesburg|no|2
nairobi|Nairobi|Nairobi County|Kenya|-1.2921|36.8219|Africa/Nairobi|no|1
"""


def _parse_cities(table: str) -> tuple[DemoCity, ...]:
    cities = []
    for line in table.strip().splitlines():
        slug, name, region, country, lat, lon, tz, featured, weight = (
            cell.strip() for cell in line.split("|")
        )
        cities.append(
            DemoCity(
                slug,
                name,
                region,
                country,
                float(lat),
                float(lon),
                tz,
                featured == "yes",
                int(weight),
            )
        )
    return tuple(cities)


CITIES: tuple[DemoCity, ...] = _parse_cities(_CITY_TABLE)

REQUIRED_CITY_SLUGS = ("new-york", "los-angeles", "chicago", "houston", "phoenix")

FIRST_NAMES = (
    "Olivia",
    "Liam",
    "Emma",
    "Noah",
    "Amara",
    "Mateo",
    "Sofia",
    "Kenji",
    "Aisha",
    "Lucas",
    "Mia",
    "Ethan",
    "Priya",
    "Diego",
    "Chloe",
    "Omar",
    "Hannah",
    "Jonas",
    "Yuki",
    "Zara",
    "Samuel",
    "Leila",
    "Gabriel",
    "Ingrid",
    "Ravi",
    "Camila",
    "Felix",
    "Nadia",
    "Hugo",
    "Grace",
    "Tomás",
    "Elena",
    "Kwame",
    "Freya",
    "Arjun",
    "Isabella",
    "Mei",
    "Oscar",
    "Fatima",
    "Leo",
    "Chiara",
    "Daniel",
    "Aaliyah",
    "Sven",
    "Lucía",
    "Marcus",
    "Ana",
    "Tariq",
    "Julia",
    "Ben",
    "Maya",
    "Joaquín",
    "Naomi",
    "Pierre",
    "Sana",
    "Wei",
    "Clara",
    "Idris",
    "Nora",
    "Theo",
)

LAST_NAMES = (
    "Smith",
    "Garcia",
    "Chen",
    "Okafor",
    "Müller",
    "Rossi",
    "Patel",
    "Kim",
    "Silva",
    "Nguyen",
    "Johnson",
    "Martin",
    "Tanaka",
    "Haddad",
    "Kowalski",
    "Andersson",
    "Dubois",
    "Murphy",
    "Hernández",
    "Williams",
    "Cohen",
    "Ivanova",
    "Mensah",
    "Larsen",
    "O'Brien",
    "Fischer",
    "Costa",
    "Sato",
    "Ali",
    "Brown",
    "Moreau",
    "Novak",
    "Santos",
    "Khan",
    "Lee",
    "Jensen",
    "Romero",
    "Walker",
    "Singh",
    "Bianchi",
    "Park",
    "Taylor",
    "Nakamura",
    "Adeyemi",
    "Wright",
    "Lopez",
    "Schmidt",
    "Clarke",
    "Yilmaz",
    "Rivera",
)

STREETS = (
    "Main Street",
    "Market Street",
    "Harbour Road",
    "Station Road",
    "Park Avenue",
    "King Street",
    "Queen Street",
    "River Walk",
    "Mill Lane",
    "Church Street",
    "High Street",
    "Elm Street",
    "Oak Avenue",
    "Maple Drive",
    "Cedar Lane",
    "Broad Street",
    "Union Square",
    "Canal Street",
    "Garden Row",
    "Bridge Street",
    "Water Street",
    "Victoria Road",
    "Central Avenue",
    "Liberty Street",
    "Sunset Boulevard",
    "Hill Road",
    "Lakeside Drive",
    "Old Town Square",
    "Warehouse Lane",
    "Festival Way",
)


@dataclass(frozen=True)
class CategoryProfile:
    """How events of one category look: title patterns, venues, prices, times."""

    titles: tuple[str, ...]
    # Multi-day titles (festivals, conferences, retreats); about half of them span 2–4 days.
    multi_day_titles: tuple[str, ...]
    words: dict[str, tuple[str, ...]]
    venues: tuple[str, ...]
    pitches: tuple[str, ...]
    details: tuple[str, ...]
    whats_included: tuple[str, ...]
    things_to_know: tuple[str, ...]
    price_range: tuple[int, int]
    free_share: float
    capacity_range: tuple[int, int]
    start_hours: tuple[int, ...]
    duration_hours: tuple[float, float]
    minimum_ages: tuple[int, ...] = (0,)
    multi_day_share: float = 0.05
    extra: dict = field(default_factory=dict)


MUSIC_GENRES = (
    "Jazz",
    "Indie Rock",
    "Blues",
    "Soul",
    "Funk",
    "Hip-Hop",
    "Electronic",
    "Classical",
    "Folk",
    "Country",
    "Latin",
    "Afrobeat",
    "Reggae",
    "Acoustic",
    "Punk",
    "Gospel",
    "Techno",
    "Synth-Pop",
    "Bluegrass",
    "R&B",
    "Jazz",
    "Indie Pop",
)

CATEGORY_PROFILES: dict[str, CategoryProfile] = {
    "music": CategoryProfile(
        titles=(
            "{genre} Night",
            "{genre} Live",
            "{adj} {genre} Sessions",
            "{genre} Showcase",
            "An Evening of {genre}",
            "{genre} Jam Session",
            "{genre} Under the Stars",
            "{genre} Brunch",
            "{genre} Album Release Party",
            "{genre} Open Mic",
            "{adj} {genre} Night",
            "{genre} & {genre2} Double Bill",
        ),
        multi_day_titles=(
            "{genre} Festival",
            "{season} {genre} Festival",
            "{city} {genre} Festival",
            "{genre} Weekender",
        ),
        words={
            "genre": MUSIC_GENRES,
            "genre2": MUSIC_GENRES,
            "adj": (
                "Late-Night",
                "Rooftop",
                "Candlelight",
                "Unplugged",
                "Sunday",
                "Midnight",
                "Basement",
                "Riverside",
                "Golden Hour",
                "Friday",
            ),
        },
        venues=(
            "The Blue Room",
            "Riverside Amphitheater",
            "The Velvet Lounge",
            "Civic Music Hall",
            "The Warehouse",
            "Echo Ballroom",
            "Harbour Stage",
            "The Listening Room",
            "Union Hall",
            "Park Bandshell",
            "{city} Concert Hall",
            "The Basement Club",
        ),
        pitches=(
            "{title} brings an unforgettable line-up to {venue}.",
            "Join us at {venue} for {title}, one of the most talked-about nights in {city}.",
            "{title} is back: live sets, great sound and a crowd that came to listen.",
        ),
        details=(
            "Expect two full sets from local favourites and a headliner flying in for the night.",
            "The room is intimate, the sound system is excellent and the bar stays open "
            "between sets.",
            "Arrive early for the support act; they are one to watch.",
            "Seating is first come, first served, with standing room at the back.",
        ),
        whats_included=(
            "Entry to all sets",
            "Coat check",
            "One welcome drink",
            "Free water refills",
            "Reserved standing area",
            "Digital set list after the show",
        ),
        things_to_know=(
            "Doors open 45 minutes before the first set.",
            "Photo ID is required for bar service.",
            "No professional cameras or recording equipment.",
            "Ear plugs are available at the bar.",
            "The venue is step-free.",
            "Re-entry is not permitted.",
        ),
        price_range=(15, 95),
        free_share=0.12,
        capacity_range=(60, 1500),
        start_hours=(18, 19, 20, 20, 21),
        duration_hours=(2, 5),
        minimum_ages=(0, 0, 16, 18, 21),
        multi_day_share=0.08,
        extra={"season": ("Summer", "Spring", "Autumn", "Winter", "Midsummer")},
    ),
    "sports": CategoryProfile(
        titles=(
            "{team} vs {team2}",
            "{sport} Night: {team} vs {team2}",
            "Beginner {sport} Clinic",
            "Pickup {sport}",
            "{city} {distance}",
            "Sunrise 5K Fun Run",
            "Charity Fun Run",
            "Open Water Swim",
            "Community Cycling Tour",
            "Bouldering Jam",
            "{sport} Skills Camp",
            "{sport} Watch Party",
        ),
        multi_day_titles=(
            "{sport} Tournament",
            "{city} {sport} Cup",
            "{season} {sport} League Finals",
        ),
        words={
            "team": (
                "Harbor Hawks",
                "River City Rovers",
                "Northside Wolves",
                "Metro Comets",
                "Lakeshore Kings",
                "Summit Bears",
                "Coastal Sharks",
                "Ironworks United",
                "Westside Falcons",
                "Bay Mariners",
            ),
            "team2": (
                "Valley Vipers",
                "Eastside Eagles",
                "Thunder FC",
                "Canyon Coyotes",
                "Capital Lions",
                "Red Rock Rangers",
                "Old Town Athletic",
                "Storm City",
            ),
            "sport": (
                "Basketball",
                "Soccer",
                "Volleyball",
                "Tennis",
                "Hockey",
                "Rugby",
                "Baseball",
                "Pickleball",
                "Ultimate Frisbee",
                "Table Tennis",
                "Padel",
            ),
            "distance": ("10K", "Half Marathon", "Marathon", "5K Night Run", "Trail Run"),
        },
        venues=(
            "{city} Arena",
            "Memorial Stadium",
            "Riverside Park",
            "Community Sports Centre",
            "Waterfront Track",
            "Eastside Courts",
            "The Climbing Hall",
            "Lakeside Fields",
        ),
        pitches=(
            "{title} at {venue}: bring your voice, this one will be close.",
            "Lace up for {title}, open to every level.",
            "{title} is where {city}'s sports fans meet.",
        ),
        details=(
            "Warm-up starts 30 minutes before the main event.",
            "Coaches are on hand for anyone new to the game.",
            "Food trucks and a family zone are set up by the main entrance.",
            "Finishers receive a medal and a post-race snack.",
        ),
        whats_included=(
            "Reserved seat or starting bib",
            "Finisher's medal",
            "Water stations",
            "Post-event snacks",
            "Equipment hire",
            "Digital photos",
        ),
        things_to_know=(
            "Wear comfortable sports clothing and trainers.",
            "Bags larger than A4 are not allowed in the stadium.",
            "Lockers are available on site.",
            "The event goes ahead in light rain.",
            "First aid is on site throughout.",
        ),
        price_range=(10, 120),
        free_share=0.12,
        capacity_range=(40, 5000),
        start_hours=(7, 9, 13, 17, 19),
        duration_hours=(1.5, 3),
        multi_day_share=0.05,
        extra={"season": ("Summer", "Spring", "Autumn", "Winter")},
    ),
    "arts": CategoryProfile(
        titles=(
            "Opening Night: {theme}",
            "{theme}: A New Play",
            "Shakespeare in the Park: {play}",
            "Gallery Walk: {theme}",
            "Life Drawing Session",
            "{art} Workshop",
            "Contemporary Dance: {theme}",
            "Ballet Gala",
            "Opera Highlights",
            "Poetry Slam",
            "Photography Exhibition: {theme}",
            "Pottery Evening",
            "{art} for Beginners",
            "{play}",
        ),
        multi_day_titles=(
            "{city} Arts Festival",
            "Fringe Theatre Festival",
            "Open Studios Weekend",
            "{art} Biennale",
        ),
        words={
            "theme": (
                "Light & Shadow",
                "City of Glass",
                "Tides",
                "The Long Summer",
                "Small Hours",
                "Paper Moons",
                "Northern Lights",
                "Common Ground",
                "Still Life Revisited",
                "Echoes",
                "Quiet Rooms",
                "Borderlands",
            ),
            "play": (
                "Hamlet",
                "Macbeth",
                "A Midsummer Night's Dream",
                "Twelfth Night",
                "The Tempest",
                "Romeo and Juliet",
                "Much Ado About Nothing",
            ),
            "art": (
                "Watercolour",
                "Ceramics",
                "Printmaking",
                "Street Art",
                "Sculpture",
                "Photography",
                "Oil Painting",
                "Linocut",
            ),
        },
        venues=(
            "The Playhouse",
            "Modern Art Gallery",
            "Studio 9",
            "The Old Theatre",
            "{city} Opera House",
            "Riverside Gallery",
            "The Print Room",
            "Open-Air Stage",
        ),
        pitches=(
            "{title} opens at {venue} with a night to remember.",
            "{title}: new work from artists living and working in {city}.",
            "Critics call {title} the season's must-see.",
        ),
        details=(
            "The artists will be there to talk about the work after the performance.",
            "All materials are provided; no experience needed.",
            "The running time is about two hours with one interval.",
            "Audio description is available at selected times.",
        ),
        whats_included=(
            "Reserved seat",
            "Exhibition guide",
            "All art materials",
            "A glass of wine",
            "Printed programme",
            "Artist Q&A",
        ),
        things_to_know=(
            "Latecomers are admitted at a suitable break.",
            "Photography without flash is welcome in the gallery.",
            "Wear clothes you don't mind getting paint on.",
            "The auditorium has wheelchair spaces; book them with your ticket.",
        ),
        price_range=(12, 85),
        free_share=0.18,
        capacity_range=(20, 900),
        start_hours=(11, 14, 18, 19, 19, 20),
        duration_hours=(1.5, 3),
        minimum_ages=(0, 0, 0, 12, 16),
    ),
    "food-drink": CategoryProfile(
        titles=(
            "{cuisine} Cooking Class",
            "{drink} Tasting",
            "{cuisine} Supper Club",
            "Farm-to-Table Dinner",
            "{drink} Masterclass",
            "Street Food Night Market",
            "{cuisine} Brunch",
            "Chef's Table: {cuisine}",
            "Sourdough Baking Workshop",
            "Pasta Making Class",
            "{drink} & Cheese Pairing",
        ),
        multi_day_titles=(
            "{city} Food Festival",
            "{drink} Festival",
            "Taste of {city}",
            "{cuisine} Food Festival",
        ),
        words={
            "cuisine": (
                "Italian",
                "Mexican",
                "Japanese",
                "Thai",
                "Korean",
                "Lebanese",
                "Ethiopian",
                "Indian",
                "Spanish Tapas",
                "Vegan",
                "Peruvian",
                "French Bistro",
                "Vietnamese",
                "Greek",
            ),
            "drink": (
                "Natural Wine",
                "Craft Beer",
                "Whisky",
                "Coffee",
                "Sake",
                "Mezcal",
                "Gin",
                "Tea",
                "Cider",
                "Champagne",
            ),
        },
        venues=(
            "The Test Kitchen",
            "Harvest Hall",
            "The Cellar",
            "Market Square",
            "Chef's Studio",
            "The Long Table",
            "Old Brewery",
            "{city} Food Hall",
        ),
        pitches=(
            "{title} at {venue}: come hungry, leave with new favourites.",
            "Taste your way through {title} with the people who make it.",
            "{title} celebrates the best of {city}'s food scene.",
        ),
        details=(
            "Every course is paired with a drink chosen by our sommelier.",
            "You'll cook alongside a professional chef and take the recipes home.",
            "Vegetarian options are available; tell us about allergies when you book.",
            "Tables are shared, so expect to make friends.",
        ),
        whats_included=(
            "All ingredients",
            "Tasting flight",
            "Three-course dinner",
            "Recipe cards",
            "Apron to take home",
            "Non-alcoholic pairing on request",
        ),
        things_to_know=(
            "Please tell the host about allergies at least 48 hours before.",
            "Alcohol is served only to guests over the legal drinking age.",
            "Closed-toe shoes are required in the kitchen.",
            "Parking is limited; public transport is recommended.",
        ),
        price_range=(25, 180),
        free_share=0.08,
        capacity_range=(12, 400),
        start_hours=(11, 12, 17, 18, 19),
        duration_hours=(2, 4),
        minimum_ages=(0, 0, 18, 21),
    ),
    "business": CategoryProfile(
        titles=(
            "{topic} Breakfast Briefing",
            "Founders' {format}",
            "{topic} Workshop",
            "Women in {field} Networking Night",
            "Pitch Night: {stage} Startups",
            "{topic} Masterclass",
            "Freelancers' Meetup",
            "Small Business {topic} Clinic",
            "Investor Office Hours",
            "{field} Networking Mixer",
        ),
        multi_day_titles=(
            "{topic} Summit",
            "{city} Business Conference",
            "{field} Leadership Forum",
            "{topic} Conference",
        ),
        words={
            "topic": (
                "Marketing",
                "Fundraising",
                "Leadership",
                "Sales",
                "Growth",
                "E-commerce",
                "Negotiation",
                "Personal Branding",
                "Sustainability",
                "Product Management",
            ),
            "field": ("Tech", "Finance", "Retail", "Hospitality", "Media", "Real Estate"),
            "stage": ("Seed-Stage", "Early-Stage", "Climate", "Fintech", "Health"),
            "format": ("Breakfast", "Roundtable", "Mixer", "Fireside Chat"),
        },
        venues=(
            "{city} Convention Center",
            "The Exchange",
            "Innovation Hub",
            "Startup Loft",
            "Grand Hotel Ballroom",
            "The Boardroom",
            "Co-Work Central",
        ),
        pitches=(
            "{title} brings practitioners together for practical, no-fluff sessions.",
            "Meet the people building {city}'s next companies at {title}.",
            "{title}: talks, workshops and plenty of time to network.",
        ),
        details=(
            "Speakers include founders, investors and operators from across the region.",
            "Every session ends with open Q&A.",
            "Slides and recordings are shared with attendees afterwards.",
            "Bring business cards; the networking hour is the best part.",
        ),
        whats_included=(
            "Coffee and pastries",
            "Lunch",
            "Slides and recordings",
            "Networking drinks",
            "Certificate of attendance",
            "Conference tote",
        ),
        things_to_know=(
            "Registration opens 30 minutes before the first session.",
            "Wi-Fi is available throughout the venue.",
            "Business casual dress.",
            "Sessions are held in English.",
        ),
        price_range=(20, 450),
        free_share=0.2,
        capacity_range=(20, 1200),
        start_hours=(8, 9, 9, 18),
        duration_hours=(2, 8),
        multi_day_share=0.08,
    ),
    "technology": CategoryProfile(
        titles=(
            "{lang} Meetup",
            "{lang} User Group",
            "Intro to {tech}",
            "{tech} Workshop",
            "Hack Night: {tech}",
            "{tech} Lightning Talks",
            "Build a {thing} with {lang}",
            "Code & Coffee",
            "{tech} in Production",
            "{lang} Study Group",
            "{tech} Meetup",
        ),
        multi_day_titles=(
            "{tech} Conference",
            "{city} Hackathon",
            "{lang} Conf {year}",
            "DevOps Days {city}",
        ),
        words={
            "lang": (
                "Python",
                "JavaScript",
                "Rust",
                "Go",
                "TypeScript",
                "Kotlin",
                "Swift",
                "Ruby",
                "Elixir",
                "Java",
                "Python",
            ),
            "tech": (
                "Machine Learning",
                "Kubernetes",
                "Web Accessibility",
                "Data Engineering",
                "Cybersecurity",
                "Cloud Native",
                "Open Source",
                "Generative AI",
                "Game Development",
                "Robotics",
                "PostgreSQL",
                "Django",
            ),
            "thing": (
                "Chatbot",
                "Web App",
                "Game",
                "CLI Tool",
                "Browser Extension",
                "Data Dashboard",
            ),
        },
        venues=(
            "Innovation Hub",
            "The Hacker Space",
            "Tech Campus Auditorium",
            "Startup Loft",
            "{city} Public Library",
            "Code Lab",
            "{city} Convention Center",
        ),
        pitches=(
            "{title}: talks, demos and pizza with {city}'s developer community.",
            "Whether you're starting out or shipping to production, {title} is for you.",
            "{title} is a friendly, hands-on evening for people who build things.",
        ),
        details=(
            "Bring a laptop with a recent version of the tools installed.",
            "Three short talks, then we split into groups to hack on real problems.",
            "Everyone is welcome; we follow a code of conduct.",
            "Talks are recorded and published afterwards.",
        ),
        whats_included=(
            "Pizza and soft drinks",
            "Power and Wi-Fi at every seat",
            "Workshop materials",
            "Sticker pack",
            "Recordings of every talk",
            "Cloud credits for the workshop",
        ),
        things_to_know=(
            "Bring a laptop and charger.",
            "Our code of conduct applies to everyone at the event.",
            "Live captions are provided for all talks.",
            "Sign-in at the front desk with photo ID.",
        ),
        price_range=(10, 350),
        free_share=0.35,
        capacity_range=(25, 1500),
        start_hours=(9, 18, 18, 19),
        duration_hours=(2, 4),
        multi_day_share=0.06,
    ),
    "wellness": CategoryProfile(
        titles=(
            "Sunrise Yoga",
            "{yoga} Yoga",
            "{yoga} Yoga in the Park",
            "Sound Bath & Meditation",
            "Guided Meditation",
            "Breathwork Session",
            "Pilates {level}",
            "Mindful Walking Tour",
            "Tai Chi in the Park",
            "Stretch & Restore",
            "Full Moon Meditation",
            "Ice Bath & Breathwork",
            "Sunset Yoga",
        ),
        multi_day_titles=(
            "Weekend Wellness Retreat",
            "{yoga} Yoga Retreat",
            "Mindfulness Retreat",
            "{city} Wellness Festival",
        ),
        words={
            "yoga": (
                "Vinyasa",
                "Hatha",
                "Yin",
                "Ashtanga",
                "Power",
                "Restorative",
                "Kundalini",
                "Aerial",
            ),
            "level": ("for Beginners", "Flow", "Intermediate", "Mat Class"),
        },
        venues=(
            "Lotus Studio",
            "Riverside Park Lawn",
            "The Wellness Loft",
            "Botanic Garden",
            "Harbour Pavilion",
            "Still Point Studio",
            "Beachfront Deck",
        ),
        pitches=(
            "Slow down with {title} at {venue}.",
            "{title} is a gentle reset in the middle of {city}.",
            "Leave lighter: {title} is open to every body and every level.",
        ),
        details=(
            "Our teachers offer options for every level, so beginners are welcome.",
            "Mats and props are provided, but feel free to bring your own.",
            "The session ends with a long, guided relaxation.",
            "Herbal tea is served afterwards.",
        ),
        whats_included=(
            "Yoga mat and props",
            "Herbal tea",
            "Guided relaxation",
            "Take-home practice guide",
            "Healthy breakfast",
            "Locker and shower access",
        ),
        things_to_know=(
            "Arrive 10 minutes early to settle in.",
            "Avoid a heavy meal in the two hours before.",
            "Tell your teacher about injuries or pregnancy.",
            "Outdoor sessions move indoors if it rains.",
        ),
        price_range=(10, 65),
        free_share=0.15,
        capacity_range=(10, 120),
        start_hours=(6, 7, 9, 12, 18, 19),
        duration_hours=(1, 2),
        multi_day_share=0.06,
    ),
    "family": CategoryProfile(
        titles=(
            "Family {activity} Day",
            "Kids' {activity} Workshop",
            "Storytime at the {place}",
            "Puppet Show: {story}",
            "Science Show for Kids",
            "Family Movie Night: {story}",
            "Junior Coding Club",
            "Dinosaur Discovery Day",
            "Teddy Bears' Picnic",
            "Lego Building Challenge",
            "Magic Show for Kids",
        ),
        multi_day_titles=(
            "Family Fun Fair",
            "{city} Children's Festival",
            "Holiday Kids Camp",
        ),
        words={
            "activity": (
                "Art",
                "Science",
                "Nature",
                "Baking",
                "Gardening",
                "Circus Skills",
                "Music",
            ),
            "place": ("Library", "Museum", "Park", "Botanic Garden"),
            "story": (
                "The Little Lighthouse",
                "The Lost Kite",
                "Moon Rabbits",
                "The Brave Little Boat",
                "Robots at Bedtime",
            ),
        },
        venues=(
            "Children's Museum",
            "City Library",
            "Central Park Playground",
            "The Family Barn",
            "Science Centre",
            "Community Hall",
            "{city} Botanic Garden",
        ),
        pitches=(
            "{title}: an afternoon of fun for the whole family at {venue}.",
            "Little ones and grown-ups alike will love {title}.",
            "{title} is {city}'s favourite family outing this season.",
        ),
        details=(
            "Best for ages 4 to 10; younger siblings are welcome.",
            "Pushchair parking and baby-changing facilities are on site.",
            "Every child takes home something they made.",
            "Snacks are available to buy.",
        ),
        whats_included=(
            "Entry for one child and one adult",
            "All craft materials",
            "Juice and a snack",
            "A take-home activity pack",
            "Face painting",
        ),
        things_to_know=(
            "Children must be accompanied by an adult at all times.",
            "The venue is pushchair friendly.",
            "Dress for mess: some activities get sticky.",
            "Nut-free event.",
        ),
        price_range=(5, 35),
        free_share=0.3,
        capacity_range=(20, 300),
        start_hours=(9, 10, 11, 14, 15),
        duration_hours=(1, 3),
    ),
    "comedy": CategoryProfile(
        titles=(
            "Stand-Up Comedy Night",
            "Comedy Open Mic",
            "Improv Showdown",
            "{adj} Comedy Hour",
            "Sketch Comedy Live",
            "Late-Night Laughs",
            "Comedy Roast Battle",
            "{comedian}: Live",
            "Comedy Club Showcase",
            "Musical Improv",
            "{comedian}: Work in Progress",
        ),
        multi_day_titles=("{city} Comedy Festival", "Comedy Weekender"),
        words={
            "adj": ("Midweek", "Sunday", "Friday Night", "Underground", "Rooftop", "Basement"),
        },
        venues=(
            "The Laugh Factory",
            "Comedy Cellar",
            "The Punchline",
            "Giggle Room",
            "Corner Pub Back Room",
            "The Improv Theatre",
        ),
        pitches=(
            "{title} at {venue}: the best new comedians in {city}, and a few famous faces.",
            "Laugh until it hurts at {title}.",
            "{title}: no two nights are ever the same.",
        ),
        details=(
            "Five acts, one compère and a lot of audience participation.",
            "Front-row seats may be part of the show.",
            "Content may be unsuitable for younger audiences.",
            "The bar is open before the show and during the interval.",
        ),
        whats_included=(
            "Reserved seat",
            "Two-drink minimum waived",
            "Meet the comedians after the show",
        ),
        things_to_know=(
            "Strong language throughout.",
            "Phones on silent, please: no filming.",
            "Latecomers may be seated at the interval.",
        ),
        price_range=(10, 60),
        free_share=0.1,
        capacity_range=(30, 400),
        start_hours=(19, 20, 20, 21),
        duration_hours=(1.5, 2.5),
        minimum_ages=(16, 18, 18, 21),
    ),
    "community": CategoryProfile(
        titles=(
            "Neighbourhood Clean-Up",
            "Community Garden Day",
            "Repair Café",
            "Volunteer Orientation",
            "Board Game Night",
            "Language Exchange: {language}",
            "Book Club: {book}",
            "Farmers' Market",
            "Town Hall Meetup",
            "Blood Drive",
            "Pub Quiz Night",
            "Charity Bake Sale",
            "Clothes Swap",
        ),
        multi_day_titles=("Street Fair", "Cultural Heritage Weekend", "{city} Pride Festival"),
        words={
            "language": (
                "Spanish",
                "French",
                "Japanese",
                "German",
                "Portuguese",
                "Italian",
                "Mandarin",
                "Korean",
            ),
            "book": (
                "The Remains of the Day",
                "Pachinko",
                "Circe",
                "The Overstory",
                "Americanah",
                "Station Eleven",
            ),
        },
        venues=(
            "Community Centre",
            "Neighbourhood Library",
            "Corner Café",
            "Town Square",
            "St. Mark's Hall",
            "The Commons",
            "Riverside Park",
        ),
        pitches=(
            "{title}: meet your neighbours and make {city} a little better.",
            "Everyone is welcome at {title}, hosted at {venue}.",
            "{title} is run by volunteers for the neighbourhood.",
        ),
        details=(
            "No experience needed; we'll show you everything on the day.",
            "Tea, coffee and homemade cake are on us.",
            "Bring a friend, or come along and make some new ones.",
            "Donations on the day support local charities.",
        ),
        whats_included=(
            "Tea and coffee",
            "Gloves and tools",
            "Snacks",
            "Name badge",
        ),
        things_to_know=(
            "Family friendly.",
            "Wear clothes suitable for the weather.",
            "The venue is step-free with an accessible toilet.",
        ),
        price_range=(5, 25),
        free_share=0.45,
        capacity_range=(15, 250),
        start_hours=(10, 11, 14, 18, 19),
        duration_hours=(1.5, 4),
    ),
    "education": CategoryProfile(
        titles=(
            "{subject} Crash Course",
            "Intro to {subject}",
            "{subject} Lecture",
            "Public Speaking Workshop",
            "Creative Writing Workshop",
            "History Walk: {history}",
            "{subject} for Beginners",
            "Study Skills Bootcamp",
            "Financial Literacy 101",
            "Astronomy Night: {sky}",
        ),
        multi_day_titles=(
            "{subject} Summer School",
            "Weekend {subject} Intensive",
            "Writers' Retreat",
        ),
        words={
            "subject": (
                "Photography",
                "Spanish",
                "Data Science",
                "Philosophy",
                "Economics",
                "Art History",
                "Astronomy",
                "Psychology",
                "Calligraphy",
                "Urban Sketching",
                "Investing",
                "UX Design",
            ),
            "history": (
                "The Old Harbour",
                "The Jazz Age",
                "Industrial Heritage",
                "Hidden Architecture",
            ),
            "sky": (
                "Saturn's Rings",
                "The Moon Up Close",
                "Meteor Shower Watch",
                "Deep Sky Objects",
            ),
        },
        venues=(
            "City University, Room 101",
            "Public Library Auditorium",
            "The Learning Lab",
            "Observatory Hill",
            "Old Town Visitor Centre",
            "Adult Education Centre",
        ),
        pitches=(
            "Learn something new at {title}, taught by experienced teachers.",
            "{title}: a practical introduction you can use the next day.",
            "{title} at {venue} is the easiest way to get started.",
        ),
        details=(
            "The class is small, so there is time for every question.",
            "Notes and exercises are emailed after the session.",
            "No prior knowledge needed.",
            "Bring a notebook and curiosity.",
        ),
        whats_included=(
            "Course notes",
            "Certificate of completion",
            "Coffee break",
            "All materials",
        ),
        things_to_know=(
            "Sessions start on time; please arrive 10 minutes early.",
            "The walking tour covers about 3 km at an easy pace.",
            "Telescopes are provided; observing depends on the weather.",
        ),
        price_range=(10, 150),
        free_share=0.2,
        capacity_range=(10, 200),
        start_hours=(10, 14, 18, 19),
        duration_hours=(1.5, 3),
        minimum_ages=(0, 0, 12, 16),
        multi_day_share=0.06,
    ),
    "nightlife": CategoryProfile(
        titles=(
            "{genre} Club Night",
            "Silent Disco",
            "Rooftop Party",
            "{decade} Dance Party",
            "Karaoke Night",
            "Cocktail Crawl",
            "Salsa Social",
            "Drag Brunch",
            "Warehouse Rave",
            "Latin Night",
            "Neon Glow Party",
            "Speakeasy Night",
            "{genre} All Night Long",
        ),
        multi_day_titles=("{city} Nightlife Weekender", "All-Nighter Weekender"),
        words={
            "genre": (
                "House",
                "Techno",
                "Disco",
                "Drum & Bass",
                "Afro House",
                "Hip-Hop",
                "Garage",
                "Reggaeton",
            ),
            "decade": ("80s", "90s", "2000s", "Motown"),
        },
        venues=(
            "Club Neon",
            "The Vault",
            "Skyline Rooftop",
            "Warehouse 23",
            "The Speakeasy",
            "Electric Ballroom",
            "Dockside Club",
        ),
        pitches=(
            "{title} at {venue}: dance until late with {city}'s best DJs.",
            "{title} is the party everyone will be talking about on Monday.",
            "Dress up, turn up: {title} is back.",
        ),
        details=(
            "Two rooms, two sound systems and a terrace for a breather.",
            "Resident DJs warm up the room before the guest headliner.",
            "Cocktail specials all night.",
            "Fancy dress encouraged but not required.",
        ),
        whats_included=(
            "Entry before midnight",
            "Welcome shot",
            "Cloakroom",
            "Glow sticks",
        ),
        things_to_know=(
            "Photo ID required at the door.",
            "Management reserves the right to refuse entry.",
            "No re-entry after 1 a.m.",
            "Strobe lighting is used.",
        ),
        price_range=(10, 70),
        free_share=0.1,
        capacity_range=(60, 1200),
        start_hours=(21, 22, 22, 23),
        duration_hours=(4, 6),
        minimum_ages=(18, 18, 21),
    ),
}

# A showcase event per category, placed first so every category is present even in a tiny
# seed and so search demos ("jazz", "yoga", "python") have exact hits.
SIGNATURE_TITLES: tuple[tuple[str, str, bool], ...] = (
    ("music", "Jazz Festival", True),
    ("sports", "Harbor Hawks vs Valley Vipers", False),
    ("arts", "Shakespeare in the Park: The Tempest", False),
    ("food-drink", "Taste of {city}", True),
    ("business", "Founders' Breakfast", False),
    ("technology", "Python Meetup", False),
    ("wellness", "Sunrise Yoga", False),
    ("family", "Science Show for Kids", False),
    ("comedy", "Stand-Up Comedy Night", False),
    ("community", "Repair Café", False),
    ("education", "Astronomy Night: Saturn's Rings", False),
    ("nightlife", "Indie Rock Night", False),
)

# Start hours a title implies ("Sunrise Yoga" at dawn, not at 7 p.m.); first match wins.
TITLE_START_HOURS: tuple[tuple[str, tuple[int, ...]], ...] = (
    ("Sunrise", (6,)),
    ("Breakfast", (8,)),
    ("Brunch", (11, 12)),
    ("Picnic", (12,)),
    ("Sunset", (18, 19)),
    ("Midnight", (23,)),
    ("Late-Night", (22, 23)),
    ("Under the Stars", (21,)),
    ("Astronomy Night", (21,)),
    ("Night", (19, 20, 21)),
)

CLOSINGS = (
    "Hosted by {host}, who has been running events in {city} for years.",
    "Organised by {host}. Questions? Message the host from this page.",
    "Tickets are limited, so book early to avoid missing out.",
    "We can't wait to see you there.",
    "Your ticket is on your phone: no printing needed.",
)

CANCELLATION_POLICIES: dict[int, str] = {
    0: "All sales are final: tickets cannot be cancelled or refunded. If the event is "
    "cancelled by the host, you will be refunded in full.",
    24: "Free cancellation until 24 hours before the start. After that, tickets are "
    "non-refundable.",
    48: "Free cancellation until 48 hours before the start. After that, tickets are "
    "non-refundable.",
    72: "Free cancellation until 72 hours before the start. Later cancellations are not refunded.",
    168: "Free cancellation until 7 days before the start. Within 7 days of the event, "
    "tickets are non-refundable.",
}

HOST_BIOS = (
    "I've been bringing people together around {category} in {city} since {year}.",
    "Independent organiser of {category} events in {city}. Small rooms, big nights.",
    "We're a small team running {category} events across {city} and beyond.",
    "Volunteer-run collective hosting {category} events in {city}.",
)

USER_BIOS = (
    "Always looking for the next good gig.",
    "New to {city} and exploring.",
    "Weekend runner, weeknight theatre-goer.",
    "Foodie, coffee snob, occasional karaoke star.",
    "",
    "",
)

REVIEW_COMMENTS: dict[int, tuple[str, ...]] = {
    5: (
        "Absolutely brilliant from start to finish.",
        "One of the best nights out I've had this year.",
        "Perfectly organised, friendly staff, would book again in a heartbeat.",
        "Exceeded every expectation. Already looking forward to the next one.",
        "Worth every penny.",
    ),
    4: (
        "Really enjoyed it; the venue was a little crowded but the event itself was great.",
        "Great atmosphere and well run. Would recommend.",
        "Lovely evening, only wish it had gone on longer.",
        "Very good, though the queue to get in was slow.",
    ),
    3: (
        "Good, not great. Some parts dragged.",
        "Decent event, but it started 30 minutes late.",
        "It was fine. The description oversold it a little.",
    ),
    2: (
        "Disappointing. The sound was poor where we were sitting.",
        "Too crowded and not much information on the day.",
        "Not what I expected from the listing.",
    ),
    1: (
        "Badly organised and the host didn't answer messages.",
        "Would not go again.",
    ),
}

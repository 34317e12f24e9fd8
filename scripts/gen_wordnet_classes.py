#!/usr/bin/env python3
"""Derives broad word classes for the targeted-abuse rules from WordNet 3.0.

Reads the WordNet database of Debian's `wordnet-base` package and writes
data/moderation/wordnet-classes-en.txt: one "@wn_<name> = a|b|c" class per
line, in the format of data/moderation/targeted-en.txt. The output is
committed and reviewed; neither the build nor the server reads WordNet.

Regenerate (Debian 12):
    apt-get install -y wordnet-base
    python3 scripts/gen_wordnet_classes.py > data/moderation/wordnet-classes-en.txt

A class is the lemmas of every synset below the listed roots (hyponyms and
instance hyponyms, transitively), kept only when
  - the lemma's most frequent sense (the first in index.noun / index.verb,
    WordNet's tagged order) is itself a sense in one of the abuse classes
    below, so a word whose everyday meaning is something else ("tick" the
    sound, "drone" the aircraft) is not in a class by a rare sense;
  - it is one word of letters only (the matcher keeps a class of many
    plain words as a hash set; "half-wit" becomes "halfwit");
  - it is not in EXCLUDE (ambiguous words that political discussion uses
    literally or figuratively without abuse) nor in the class's own
    exclusions.
Nouns get their plurals (noun.exc for irregular ones, else -s/-es/-ies);
verbs their inflections (verb.exc, else -s/-ed/-ing rules).
"""

import collections
import re
import sys

WORDNET = "/usr/share/wordnet"

# Words no class may contain. Each would match ordinary political or
# everyday talk: other senses (computing, sport, party mascots, vehicles,
# money), set phrases ("lone wolf", "guinea pig", "watchdog", "kangaroo
# court", "crocodile tears") and the animal insults that heated but civil
# opinion uses of politicians and voters ("sheep", "lemmings", "poodle",
# "vultures", "sharks"). Lower case; plurals follow automatically.
EXCLUDE = {
    # people themselves (homo sapiens is a mammal in WordNet)
    "homo", "man", "human", "human_being", "hominid", "person", "individual",
    "mortal", "soul", "somebody", "someone", "adult", "child", "baby",
    # the brief's list: ambiguous everyday senses
    "bug", "mole", "hawk", "dove", "crane", "seal", "bat", "kid", "game",
    "plant", "party", "cell", "army", "fox", "bear", "bull",
    # other senses: computing, sport, money, vehicles, tools, brands
    "mouse", "python", "cobra", "monitor", "jaguar", "puma", "impala",
    "beetle", "mustang", "bronco", "colt", "ram", "buck", "doe", "stag",
    "hart", "hind", "jack", "jenny", "billy", "nanny", "tom", "pointer",
    "setter", "boxer", "retriever", "hunter", "charger", "mount", "hack",
    "nag", "plug", "pacer", "trotter", "racer", "stepper", "toy", "pet",
    "stray", "steer", "sow", "boar", "drone", "worker", "soldier", "queen",
    "king", "sentinel", "host", "carrier", "vector", "strain", "culture",
    "colony", "cricket", "wasp", "mite", "fly", "stick", "walking_stick",
    "spider", "gopher", "rust", "smut", "yeast", "truffle", "mushroom",
    "morel", "conk", "blight", "grub", "fry", "chick", "cub", "pup", "joey",
    "calf", "lamb", "kitten", "puppy", "whelp", "dam", "sire", "mare",
    "stallion", "filly", "foal", "steed", "pony", "horse", "mule", "donkey",
    "ass", "elephant", "mammoth", "whale", "dolphin", "cat", "dog", "hound",
    "cow", "ox", "bullock", "heifer", "yak", "badger", "ferret", "beaver",
    "otter", "mink", "sable", "ermine", "marten", "bunny", "rabbit", "hare",
    "squirrel", "chipmunk", "hamster", "gerbil", "guinea_pig", "cavy",
    "kangaroo", "koala", "panda", "lion", "tiger", "leopard", "cheetah",
    "panther", "lynx", "cougar", "bobcat", "wildcat", "wolf", "coyote",
    "dingo", "deer", "elk", "moose", "reindeer", "caribou", "buffalo",
    "bison", "camel", "llama", "goat", "sheep", "ewe", "mutton", "pig",
    "tank", "stock", "head", "fish", "bird", "fowl", "beef", "pork",
    "chicken", "turkey", "duck", "goose", "eagle", "owl", "raven",
    "crow", "swallow", "swift", "lark", "robin", "cardinal", "jay",
    "martin", "kite", "tit", "booby", "cock", "hen", "drake", "swan",
    "sole", "pike", "bass", "perch", "ray", "skate", "bee", "ant", "hornet",
    "mantis", "firefly", "scorpion", "tick", "chameleon", "crocodile",
    "alligator", "turtle", "tortoise", "dragon", "iguana", "gecko",
    "nymph", "imago", "larva", "pupa", "mammal", "animal", "creature",
    "beast", "brute", "organism", "being", "critter",
    # heated but civil insults of politicians and voters
    "lemming", "poodle", "lapdog", "lap_dog", "watchdog", "bulldog",
    "weasel", "vulture", "shark", "parrot", "loon", "cuckoo", "dodo",
    "ostrich", "sloth", "skunk", "bloodhound", "pit_bull", "guard_dog",
    "fat_cat", "dinosaur", "hyena_dog",
    # diseases and states that are everyday metaphors in politics
    "fever", "cold", "flu", "influenza", "chill", "cramp", "shock",
    "collapse", "failure", "crisis", "complex", "condition", "disorder",
    "anemia", "anaemia", "paralysis", "stroke", "attack", "seizure",
    "fit", "depression", "mania", "madness", "insanity", "hysteria",
    "addiction", "dependence", "dependency", "obesity", "allergy",
    "inflammation", "ulcer", "sore", "wound", "scar", "bruise", "lesion",
    "growth", "mass", "lump", "swelling", "polyp", "cyst", "wart",
    "corn", "callus", "blister", "rash", "eruption", "spot", "pimple",
    "bubble", "colic", "gout", "rheumatism", "arthritis", "sclerosis",
    "degeneration", "decline", "dementia", "senility", "amnesia",
    "blindness", "deafness", "lameness", "disability", "handicap",
    "autism", "cancer", "tumor", "tumour", "plague", "epidemic",
    "pandemic", "sickness", "illness", "disease", "infection", "rot",
    "decay", "malaise", "affliction", "ailment", "complaint", "trouble",
    "problem", "symptom", "syndrome", "pathology", "ill", "upset",
    "flux", "runs", "trots", "shits", "pox", "pest", "scourge",
    "contagion", "virus", "germ", "bacteria", "poison",
    # waste and filth words with everyday other senses
    "waste", "dirt", "soil", "earth", "mud", "dust", "crap", "shit",
    "scrap", "junk", "litter", "refuse", "trash", "garbage", "rubbish",
    "spoil", "slag", "dross", "chaff", "husk", "offal", "leftover",
    "remainder", "residue", "debris", "wreckage", "effluent", "discharge",
    "output", "byproduct", "by_product", "spill", "runoff", "sludge",
    "muck", "slime", "scum", "filth", "sewage", "excrement", "dung",
    "feces", "faeces", "vomit", "urine", "piss", "water", "pee", "stool",
    "movement", "bowel_movement", "number_one", "number_two", "load",
    "manure", "fertilizer", "fertiliser", "compost", "guano", "meconium",
    "sweat", "tear", "tears", "blood", "pus", "mucus", "phlegm", "spit",
    "saliva", "semen", "sperm",
    # person nouns that are accusations or descriptions in argument,
    # not insults ("criminals", "liars" are heated opinion)
    "criminal", "offender", "wrongdoer", "lawbreaker", "liar", "thief",
    "crook", "culprit", "convict", "felon", "murderer", "killer",
    "terrorist", "traitor", "hypocrite", "sinner", "villain", "outlaw",
    "bandit", "pirate", "smuggler", "spy", "mole", "cheat", "fraud",
    "con_man", "swindler", "extremist", "radical", "fanatic", "zealot",
    "demagogue", "tyrant", "dictator", "despot", "autocrat", "oppressor",
    "bully", "abuser", "aggressor", "attacker", "invader", "warmonger",
    "enemy", "foe", "opponent", "rival", "adversary", "critic", "skeptic",
    "sceptic", "cynic", "pessimist", "loser", "failure", "amateur",
    "beginner", "novice", "layman", "outsider", "stranger", "nobody",
    "bore", "nuisance", "pest", "drag", "grouch", "grump", "crank",
    "eccentric", "nut", "character", "case", "type", "sort", "customer",
    "devil", "angel", "saint", "hero", "martyr", "victim", "dupe",
    "sucker", "mark", "patsy", "pawn", "tool", "puppet", "stooge",
    "lightweight", "innocent", "babe", "baby", "child", "infant",
    "minor", "junior", "youngster", "novice", "rookie", "hardliner",
    "hawk", "dove", "conservative", "liberal", "reactionary", "moderate",
    "snob", "elitist", "populist", "opportunist", "careerist", "hack",
    "rebel", "dissident", "heretic", "apostate", "deserter", "defector",
    "turncoat", "collaborator", "quisling", "informer", "rat", "snitch",
    "sneak", "gossip", "busybody", "meddler", "intruder", "trespasser",
    "delinquent", "defaulter", "debtor", "bankrupt", "beggar", "pauper",
    "drunk", "drunkard", "addict", "user", "smoker", "gambler", "player",
    "flirt", "tease", "prude", "puritan", "square", "conformist",
    "rogue", "rascal", "scamp", "imp", "authoritarian", "disciplinarian",
    "egocentric", "egoist", "decadent", "diversionist", "exploiter",
    "changeling", "demoniac", "complainer", "faultfinder", "critic",
    "detractor", "disparager", "depreciator", "carper", "perfectionist", "monkey", "ape", "pig", "hog",
    "dog", "cat", "snake", "wolf", "shark", "vulture", "worm", "toad",
    "crab", "bear", "bull", "lion", "tiger", "chicken", "turkey",
    "goose", "donkey", "mule", "ass", "sheep", "lamb", "cow",
    # inhabitant and believer nouns too general or ambiguous for a group
    "native", "local", "resident", "inhabitant", "denizen", "dweller",
    "citizen", "national", "subject", "alien", "foreigner", "stranger",
    "settler", "colonist", "pioneer", "immigrant", "emigrant", "migrant",
    "refugee", "exile", "expatriate", "tourist", "visitor", "guest",
    "neighbor", "neighbour", "villager", "townsman", "townie", "towner",
    "city_man", "city_dweller", "urbanite", "countryman", "peasant",
    "provincial", "rustic", "islander", "highlander", "lowlander",
    "mountaineer", "southerner", "northerner", "westerner", "easterner",
    "believer", "truster", "follower", "disciple", "devotee", "adherent",
    "supporter", "member", "worshipper", "worshiper", "convert",
    "religious_person", "religionist", "secular", "layman", "lay_person",
    "pagan", "heathen", "infidel", "gentile", "nonbeliever", "unbeliever",
    "theist", "deist", "pantheist", "polytheist", "monotheist",
    "mystic", "pilgrim", "penitent", "sectarian", "cultist",
    "english", "french", "dutch", "spanish", "german", "swiss",
    "american", "yankee", "yank", "federal", "confederate", "rebel",
    "reb", "union", "turk", "scot", "swede", "finn", "dane", "pole",
    "czech", "slovak", "lapp", "kiwi", "digger", "pom", "pommy", "limey",
    "chink", "jap", "nip", "gook", "dago", "wop", "spic", "kike", "yid",
    "mick", "paddy", "kraut", "hun", "boche", "jerry", "frog", "taffy",
    "sassenach", "squaw", "injun", "redskin", "coon", "nigger", "darky",
    "darkey", "spade", "jigaboo", "nigra", "wog", "gringo", "greaser",
    "wetback", "mex", "beaner", "honky", "honkie", "whitey", "cracker",
    "redneck", "hillbilly", "peckerwood", "ofay", "paleface",
    "colored", "coloured", "black", "white", "red", "yellow", "brown",
    "creole", "mestizo", "mulatto", "quadroon", "octoroon", "half_caste",
    "half_breed", "mixed_blood", "zambo", "sambo", "uncle_tom",
    "jew", "hebrew", "israelite", "moslem", "muslim", "mohammedan",
    "christian", "catholic", "protestant", "hindu", "sikh", "buddhist",
    "mormon", "quaker", "shaker", "baptist", "methodist", "anglican",
    "lutheran", "calvinist", "presbyterian", "evangelical",
    "indian", "american_indian", "red_indian", "eskimo", "esquimau",
    "capital", "city", "state", "nation", "country", "province",
    "bushman", "pygmy", "pigmy", "dwarf", "giant", "nomad", "bedouin",
    "gypsy", "gipsy", "tinker", "traveler", "traveller", "romany",
}

# Roots per class: (pos, offset, first lemma as a check). Offsets are
# WordNet 3.0 data.noun / data.verb byte offsets.
CLASSES = collections.OrderedDict([
    # Small animals, pests, parasites and what rots things: the dehumanising
    # comparisons ("ticks on the body of Europe", "multiply like bacteria",
    # "mildew").
    ("wn_vermin", [
        ("n", "02159955", "insect"),
        ("n", "01769347", "arachnid"),
        ("n", "02329401", "rodent"),
        ("n", "01922303", "worm"),
        ("n", "01326291", "microorganism"),
        ("n", "12992868", "fungus"),
        ("n", "01384687", "parasite"),
        ("n", "01314388", "pest"),
        ("n", "01315980", "vermin"),
        ("n", "01661091", "reptile"),
        ("n", "13077295", "mildew"),
        ("n", "13077033", "mold"),
    ]),
    # Mammals ("jackals", "hogs", "hyenas"): only in tight phrases.
    ("wn_beast", [
        ("n", "01861778", "mammal"),
    ]),
    # Diseases, tumours, infections, rot.
    ("wn_disease", [
        ("n", "14070360", "disease"),
        ("n", "14061805", "illness"),
        ("n", "14235200", "tumor"),
        ("n", "14234074", "growth"),
        ("n", "14174549", "infection"),
        ("n", "14560926", "putrefaction"),
        ("n", "13458019", "decomposition"),
        ("n", "14560612", "decay"),
        ("n", "14138691", "plague"),
    ]),
    # Excrement, waste, filth.
    ("wn_filth", [
        ("n", "14853947", "body_waste"),
        ("n", "14856263", "waste"),
        ("n", "14856752", "filth"),
        ("n", "14857151", "garbage"),
        ("n", "14856893", "sewage"),
    ]),
    # Derogatory person nouns (an insult at a commenter: "you <insult>").
    ("wn_insult", [
        ("n", "09631463", "unpleasant_person"),
        ("n", "10599354", "simpleton"),
        ("n", "10100761", "fool"),
        ("n", "09614047", "coward"),
        ("n", "10771636", "weakling"),
        ("n", "09831962", "bad_person"),
        ("n", "10667187", "stupid"),
        ("n", "10197525", "idiot"),
        ("n", "10539715", "lowlife"),
        ("n", "10612210", "slob"),
        ("n", "10252674", "leech"),
        ("n", "10419630", "pest"),
    ]),
    # Peoples, nationalities, inhabitants; believers of a religion.
    ("wn_people", [
        ("n", "09620078", "inhabitant"),
        ("n", "09620794", "native"),
        ("n", "09686536", "european"),
        ("n", "09641757", "asian"),
        ("n", "09634494", "african"),
    ]),
    # Physical harm done to a person: kill, injure, maim, torture, strike.
    ("wn_harm", [
        ("v", "01323976", "kill"),
        ("v", "00069879", "injure"),
        ("v", "00090708", "mutilate"),
        ("v", "00071178", "torture"),
        ("v", "01400062", "hit"),
    ]),
])

# Per-class exclusions on top of EXCLUDE.
CLASS_EXCLUDE = {
    # harm verbs with an ordinary figurative use in argument
    "wn_harm": {
        "hit", "strike", "kill", "hurt", "injure", "wound", "beat", "tap",
        "touch", "knock", "bump", "bang", "clip", "sock", "box", "cuff",
        "pat", "rap", "flick", "peck", "poke", "prod", "nudge", "dab",
        "swat", "club", "bat", "cane", "whip", "lash", "flog", "belt",
        "strap", "paddle", "spank", "tan", "dust", "hammer", "pound",
        "thump", "thud", "slug", "sock", "wallop", "clobber", "lick",
        "pip", "shell", "bomb", "fire", "zap", "tag", "head", "foul",
        "kick", "knee", "elbow", "butt", "ram", "buffet", "batter",
        "pummel", "drub", "thrash", "trounce", "lam", "dispatch",
        "eliminate", "remove", "finish", "end", "destroy", "sacrifice",
        "drown", "starve", "exterminate", "abort", "shoot", "gun",
        "cut", "scratch", "graze", "chafe", "gall", "bruise", "burn",
        "scald", "sting", "bite", "nip", "claw", "maul", "savage",
        "break", "crack", "fracture", "sprain", "strain", "twist",
        "pull", "wrench", "rick", "crick", "hurt", "pain", "torment",
        "rack", "martyr", "victimize", "crucify", "persecute",
        "mar", "spoil", "deface", "disfigure", "mutilate", "cripple",
        "lame", "hamstring", "disable", "incapacitate", "paralyze",
        "paralyse", "blind", "deafen", "stun", "daze", "down", "floor",
        "deck", "level", "drop", "fell", "bring_down", "take_down",
        "off", "waste", "smoke", "ice", "do_in", "take_out", "get",
        "polish_off", "hit", "put_away", "put_down", "put_to_sleep",
        "euthanize", "euthanise", "sacrifice", "immolate", "poison",
        "suffocate", "choke", "smother", "stifle", "gag", "silence",
        "liquidate", "purge", "decimate", "annihilate", "massacre",
        "slaughter", "butcher", "execute", "electrocute", "behead",
        "decapitate", "guillotine", "hang", "lynch", "string_up",
        "crucify", "stone", "garrote", "strangle", "throttle", "murder",
        "assassinate", "slay", "shoot_down", "gas", "knife", "stab",
        "spear", "bayonet", "impale", "skewer", "lance", "pierce",
        "wing", "pick_off", "snipe", "bag", "hunt", "catch", "land",
        "net", "trap", "hook", "fish", "bait", "harpoon",
        "dismember", "disembowel", "eviscerate", "gut", "flay",
        "skin", "scalp", "mangle", "maim", "torture", "slash",
        "smash", "punch", "slap", "smack", "bash",
    },
}
# Person nouns of the insult roots that are accusations or descriptions
# (heated but civil: "you're a misogynist", "you're a hypocrite"), mild or
# affectionate, or words with a commoner other use ("rip", "lame", "spook").
CLASS_EXCLUDE["wn_insult"] = {
    # adjectives first: "you are being stupid about this" is no insult noun
    "stupid", "subnormal",
    "misogynist", "misanthrope", "misanthropist", "narcissist", "narcist",
    "megalomaniac", "egotist", "egomaniac", "polluter", "saboteur", "vandal",
    "slanderer", "defamer", "libeler", "traducer", "vilifier", "maligner",
    "persecutor", "harasser", "pharisee", "hatemonger", "grandstander",
    "carpetbagger", "monopolist", "monopoliser", "monopolizer", "muckraker",
    "mudslinger", "iconoclast", "platitudinarian", "stickler", "martinet",
    "timeserver", "upstart", "parvenu", "arriviste", "nitpicker", "niggler",
    "poser", "poseur", "poseuse", "scold", "scolder", "whiner", "moaner",
    "grumbler", "bellyacher", "squawker", "kvetch", "lame", "rip", "tike",
    "tyke", "softie", "softy", "hotdog", "shocker", "stinker", "rounder",
    "switcher", "roaster", "snorter", "pawer", "undoer", "ruiner",
    "tantaliser", "tantalizer", "waverer", "vacillator", "hesitater",
    "hesitator", "trembler", "whipper", "flogger", "scourger", "torturer",
    "tormentor", "tormenter", "victimizer", "victimiser", "trampler",
    "uprooter", "annihilator", "alienator", "aggravator", "gadfly",
    "backscratcher", "flouter", "scorner", "sneerer", "mocker", "jeerer",
    "masher", "wencher", "seducer", "ravisher", "libertine", "rake", "roue",
    "profligate", "debauchee", "debaucher", "philanderer", "womanizer",
    "womaniser", "adulterer", "fornicator", "gigolo", "ribald", "spook",
    "grabber", "boaster", "bragger", "braggart", "fiend", "ogre", "anathema",
    "backbiter", "slaver", "litterer", "litterbug", "iconoclast", "goof",
}

# Inhabitant nouns that are no people or nationality (a party, a role, a
# place of residence), historical peoples whose names are everyday words
# ("trojan", "spartan", "viking", "goth", "byzantine", "bohemian") and words
# with another common sense ("same", "frank", "riff", "sooner").
CLASS_EXCLUDE["wn_people"] = {
    "tory", "whig", "contra", "occupant", "occupier", "inmate", "housemate",
    "sojourner", "outlier", "colonial", "coaster", "borderer", "marcher",
    "landlubber", "landman", "landsman", "earthling", "earthman", "tellurian",
    "suburbanite", "cottager", "burgher", "habitant", "indigen", "indigene",
    "shogun", "geisha", "sahib", "memsahib", "effendi", "junker", "mafioso",
    "mafiosi", "trojan", "spartan", "viking", "roman", "frank", "same",
    "mari", "riff", "kalka", "johnny", "mickey", "sooner", "tarheel",
    "hoosier", "wolverine", "berserk", "berserker", "byzantine", "occidental",
    "bohemian", "dalmatian", "greyback", "patrial", "peshmerga", "dorian",
    "ionian", "lombard", "saxon", "teuton", "goth", "celt", "gaul", "minoan",
    "theban", "jacobean", "samaritan", "palatine", "transmigrante", "tyke",
    "towny", "townee", "mongoloid", "norse", "oriental", "hellene", "kelt",
    "bluenose", "tai", "kota", "toda", "moro", "luba", "edo", "lao",
}

# Found by reading the classes' words that are in an ordinary English
# dictionary: adjectives, other senses, harmless creatures and generic states.
CLASS_EXCLUDE["wn_beast"] = {
    "humankind", "mankind", "entire", "dun", "milker", "prancer", "remount",
    "mouser", "carnivore", "placental", "mammalian", "bovine", "feline",
    "equine", "husky", "pinto", "buckskin", "dobbin", "spitz", "pug",
    "tabby", "wolverine",
}
CLASS_EXCLUDE["wn_disease"] = {
    "desolation", "devastation", "deterioration", "disintegration",
    "dilapidation", "ruin", "ruination", "corrosion", "decrepitude",
    "prostration", "endemic", "indisposition", "malnutrition", "mono", "pip",
    "gall", "boil", "itch", "hickey", "cataract", "dwarfism", "heatstroke",
    "lichen", "canker", "rancidity", "wear", "wilt", "warble", "sty", "stye",
    "sunstroke", "windburn",
}
CLASS_EXCLUDE["wn_vermin"] = {
    "butterfly", "kelp", "alga", "algae", "diatom", "lichen", "mistletoe",
    "peacock", "ephemeral", "blusher", "sargasso", "gadfly", "loggerhead",
    "cayman", "ladybird", "ladybug", "honeybee", "bumblebee", "dragonfly",
    "glowworm", "murine", "scarab", "katydid", "brontosaur", "pterodactyl",
    "seaweed", "wrack", "shiitake", "tyrannosaur", "terrapin",
}
CLASS_EXCLUDE["wn_filth"] = {
    "chlorofluorocarbon", "exhaust", "halon", "impurity", "pollutant",
    "rubble", "slack",
}

# Only the figurative ones of the long list above stay excluded; the
# plainly violent ones are kept (the list names what was considered).
HARM_KEEP = {
    "dismember", "disembowel", "eviscerate", "flay", "scalp", "mangle",
    "maim", "torture", "slash", "smash", "punch", "slap", "smack", "bash",
    "strangle", "throttle", "murder", "assassinate", "slay", "behead",
    "decapitate", "guillotine", "garrote", "electrocute", "massacre",
    "slaughter", "butcher", "lynch", "string_up", "stab", "knife",
    "bayonet", "impale", "skewer", "suffocate", "smother", "disfigure",
    "cripple", "kneecap", "pummel", "batter", "thrash", "wallop",
    "clobber", "beat_up", "maul", "mutilate", "stone", "immolate",
    "brain", "bludgeon", "stomp", "whack", "shank", "garotte",
    "kick", "choke", "drown", "shoot", "gun_down", "hang", "execute",
    "gas", "poison", "burn", "scald", "break", "blind", "flog", "whip",
    "lash", "cane", "pistol_whip", "waterboard",
}
CLASS_EXCLUDE["wn_harm"] -= HARM_KEEP
# Verbs whose forms are also common nouns or whose object is not a person
# ("boots", "beans", "grass", "stones", "execute a plan", "erase the debt").
CLASS_EXCLUDE["wn_harm"] |= {
    "bean", "boot", "buff", "brain", "flight", "grass", "halter", "erase",
    "eradicate", "harm", "neutralise", "neutralize", "overstretch", "swig",
    "swipe", "chine", "traumatise", "traumatize", "wrick", "subluxate",
    "smite", "smit", "whop", "wham", "whap", "vaporize", "vaporise",
    "martyrise", "martyrize", "execute", "stone", "shoot", "burke", "scrag",
    "gibbet", "contuse", "flight",
}


# The WordNet 3.0 licence (/usr/share/doc/wordnet-base/copyright): its
# notice and disclaimer must appear on all copies, so the class file
# carries them.
LICENCE = """
WordNet Release 3.0. This software and database is being provided to you, the
LICENSEE, by Princeton University under the following license. By obtaining,
using and/or copying this software and database, you agree that you have read,
understood, and will comply with these terms and conditions.:

Permission to use, copy, modify and distribute this software and database and
its documentation for any purpose and without fee or royalty is hereby granted,
provided that you agree to comply with the following copyright notice and
statements, including the disclaimer, and that the same appear on ALL copies of
the software, database and documentation, including modifications that you make
for internal use or for distribution.

WordNet 3.0 Copyright 2006 by Princeton University. All rights reserved.

THIS SOFTWARE AND DATABASE IS PROVIDED "AS IS" AND PRINCETON UNIVERSITY MAKES NO
REPRESENTATIONS OR WARRANTIES, EXPRESS OR IMPLIED. BY WAY OF EXAMPLE, BUT NOT
LIMITATION, PRINCETON UNIVERSITY MAKES NO REPRESENTATIONS OR WARRANTIES OF
MERCHANT- ABILITY OR FITNESS FOR ANY PARTICULAR PURPOSE OR THAT THE USE OF THE
LICENSED SOFTWARE, DATABASE OR DOCUMENTATION WILL NOT INFRINGE ANY THIRD PARTY
PATENTS, COPYRIGHTS, TRADEMARKS OR OTHER RIGHTS.

The name of Princeton University or Princeton may not be used in advertising or
publicity pertaining to distribution of the software and/or database. Title to
copyright in this software, database and any associated documentation shall at
all times remain with Princeton University and LICENSEE agrees to preserve same.
"""


def read_synsets(pos):
    """offset -> (lemmas, hyponym offsets) for data.<pos>."""
    out = {}
    name = {"n": "noun", "v": "verb"}[pos]
    with open(f"{WORDNET}/data.{name}", encoding="latin-1") as f:
        for line in f:
            if line.startswith("  "):
                continue
            fields = line.split("|", 1)[0].split()
            off = fields[0]
            n = int(fields[3], 16)
            lemmas = [re.sub(r"\(.*\)$", "", fields[4 + 2 * i]) for i in range(n)]
            k = 4 + 2 * n
            p = int(fields[k])
            hypo = []
            for i in range(p):
                sym, poff, ppos = fields[k + 1 + 4 * i: k + 4 + 4 * i]
                # Instance hyponyms are named individuals (popes, people);
                # only kinds are followed.
                if sym == "~" and ppos == pos:
                    hypo.append(poff)
            out[off] = (lemmas, hypo)
    return out


def read_first_senses(pos):
    """lemma (lower case) -> its most frequent synset offset."""
    name = {"n": "noun", "v": "verb"}[pos]
    out = {}
    with open(f"{WORDNET}/index.{name}", encoding="latin-1") as f:
        for line in f:
            if line.startswith("  "):
                continue
            fields = line.split()
            lemma = fields[0]
            synset_cnt = int(fields[2])
            out[lemma] = fields[len(fields) - synset_cnt]
    return out


def read_exceptions(pos):
    """base -> irregular inflections (noun.exc / verb.exc)."""
    name = {"n": "noun", "v": "verb"}[pos]
    out = collections.defaultdict(set)
    with open(f"{WORDNET}/{name}.exc", encoding="latin-1") as f:
        for line in f:
            fields = line.split()
            for base in fields[1:]:
                out[base].add(fields[0])
    return out


# Lemmas kept although their most frequent sense is another (WordNet lists
# "mildew" first as the process).
ALSO = {
    "wn_vermin": {"mildew", "mould", "mold"},
}

# Subtrees left out of a class: below "bad person" WordNet lists every
# wrongdoer (arsonist, assassin, abductor), accusations rather than insults.
SKIP = {
    "wn_insult": [("n", "09633969", "wrongdoer")],
}


def closure(synsets, roots, skip=()):
    seen = set(skip)
    stack = list(roots)
    while stack:
        off = stack.pop()
        if off in seen:
            continue
        seen.add(off)
        stack.extend(synsets[off][1])
    return seen


def plurals(word, exc):
    """The plurals of `word`: the irregular ones of noun.exc and the regular
    one (writers use "amoebas" as often as "amoebae")."""
    words = word.split("_")
    last = words[-1]
    forms = set(exc.get(last, ()))
    if last.endswith("sis"):
        forms.add(last[:-2] + "es")
    elif last.endswith("s") and not last.endswith("ss"):
        pass  # already plural or a mass noun ("droppings", "measles")
    elif re.search(r"(s|x|z|ch|sh)$", last):
        forms.add(last + "es")
    elif re.search(r"[^aeiou]y$", last):
        forms.add(last[:-1] + "ies")
    else:
        forms.add(last + "s")
    return {"_".join(words[:-1] + [f]) for f in forms}


def verb_forms(word, exc):
    words = word.split("_")
    v, rest = words[0], words[1:]
    forms = set(exc.get(v, ()))
    if re.search(r"(s|x|z|ch|sh)$", v):
        forms.add(v + "es")
    elif re.search(r"[^aeiou]y$", v):
        forms.add(v[:-1] + "ies")
    else:
        forms.add(v + "s")
    irregular = set(exc.get(v, ()))
    if not irregular:  # verb.exc lists the past forms of irregular verbs
        stem = v[:-1] if v.endswith("e") else v
        if re.search(r"[^aeiou][aeiou][bdgmnprt]$", v) and len(v) <= 4:
            stem = v + v[-1]
        if re.search(r"[^aeiou]y$", v):
            forms.add(v[:-1] + "ied")
        else:
            forms.add(stem + "ed")
    stem = v[:-1] if v.endswith("e") and not v.endswith("ee") else v
    if re.search(r"[^aeiou][aeiou][bdgmnprt]$", v) and len(v) <= 4:
        stem = v + v[-1]
    for f in irregular:  # "kneecapped" -> "kneecapping"
        if f.endswith(v + v[-1] + "ed"):
            stem = v + v[-1]
    forms.add(stem + "ing")
    return {"_".join([f] + rest) for f in forms}


def good_lemma(lemma):
    return (re.fullmatch(r"[a-z]+", lemma) is not None and
            len(lemma) >= 3)


def main():
    data = {p: read_synsets(p) for p in ("n", "v")}
    first = {p: read_first_senses(p) for p in ("n", "v")}
    exc = {p: read_exceptions(p) for p in ("n", "v")}
    members = {}
    union = {"n": set(), "v": set()}
    for name, roots in CLASSES.items():
        pos = roots[0][0]
        for p, off, lemma in roots:
            assert lemma in [l.lower() for l in data[p][off][0]], (name, off, lemma)
        skip = [off for _, off, _ in SKIP.get(name, [])]
        members[name] = closure(data[pos], [off for _, off, _ in roots], skip) - set(skip)
        union[pos] |= members[name]
    print("# WordNet word classes for the targeted-abuse rules (targeted-en.txt),")
    print("# generated by scripts/gen_wordnet_classes.py from WordNet 3.0 (Debian")
    print("# wordnet-base). Do not edit by hand: change the generator and run it again")
    print("# (data/moderation/README.md).")
    print("#")
    for line in LICENCE.strip("\n").split("\n"):
        print(("# " + line).rstrip())
    for name, roots in CLASSES.items():
        pos = roots[0][0]
        excluded = EXCLUDE | CLASS_EXCLUDE.get(name, set())
        words = set()
        for off in members[name]:
            for lemma in data[pos][off][0]:
                low = lemma.lower()
                joined = None
                if "-" in low:
                    # "half-wit": the normalised text reads "half wit", and
                    # writers also spell it "halfwit".
                    hyphen, low = low, low.replace("-", "_")
                    joined = low.replace("_", "")
                    if first[pos].get(hyphen) in union[pos]:
                        first[pos][low] = first[pos][joined] = first[pos][hyphen]
                if not good_lemma(low) or low in excluded:
                    continue
                # Proper names (nationalities) are kept for the people
                # class only; other classes take common nouns.
                if lemma != low and name != "wn_people":
                    continue
                if (first[pos].get(low) not in union[pos] and
                        low not in ALSO.get(name, set())):
                    continue
                words.add(low)
                if joined and joined not in excluded and good_lemma(joined):
                    words.add(joined)
        forms = set(words)
        for w in words:
            more = plurals(w, exc["n"]) if pos == "n" else verb_forms(w, exc["v"])
            forms |= {f for f in more if f not in excluded}
        roots_text = ", ".join(lemma for _, _, lemma in roots)
        print()
        print(f"# {name}: {len(words)} lemmas below {roots_text}; {len(forms)} forms.")
        print(f"@{name} = " + "|".join(sorted(forms)))


if __name__ == "__main__":
    sys.exit(main())

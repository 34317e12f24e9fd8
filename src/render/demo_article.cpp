#include "render/demo_article.hpp"

namespace amur::render {
namespace {

constexpr std::string_view kMasthead = R"html(<header class="site-head">
<div class="site-head-inner">
<a class="site-name" href="/demo">The Confluence</a>
<span class="site-tagline">Analysis from the edges of the map</span>
<span class="site-demo" title="A fictional publication that shows the Amur comment engine at work">Demo</span>
</div>
<nav class="site-nav" aria-label="Sections"><ul>
<li><a href="/demo#more">World</a></li>
<li><a href="/demo#more" aria-current="true">Borders &amp; Geography</a></li>
<li><a href="/demo#more">History</a></li>
<li><a href="/demo#more">Energy</a></li>
<li><a href="/demo#comments">Discussion</a></li>
</ul></nav>
</header>
)html";

constexpr std::string_view kArticle = R"html(<article class="story">
<header class="story-head">
<p class="story-kicker"><a href="/demo#more">Borders &amp; Geography</a> <span aria-hidden="true">·</span> Analysis</p>
<h1 class="story-title">The river that drew a border: what the 1858 Treaty of Aigun still means</h1>
<p class="story-standfirst">A treaty signed on the bank of the Amur in 1858 moved a vast stretch of the Far East from the Qing empire to Russia. Both governments now call their frontier settled. On the water, in museums and in schoolbooks, its history is still read in two very different ways.</p>
</header>

<figure class="story-figure">
<svg class="map" viewBox="0 0 640 380" role="img" aria-labelledby="map-title map-desc" xmlns="http://www.w3.org/2000/svg">
<title id="map-title">Schematic map of the Amur border</title>
<desc id="map-desc">The Amur flows east between Russia to the north and China to the south, then turns north-east to the sea. The land north of the river passed to Russia in 1858; the land east of its tributary, the Ussuri, in 1860. The older frontier of 1689 ran along the mountains further north.</desc>
<defs>
<pattern id="map-hatch" width="7" height="7" patternUnits="userSpaceOnUse" patternTransform="rotate(45)"><line x1="0" y1="0" x2="0" y2="7" class="map-hatch-line"/></pattern>
</defs>
<rect class="map-land-cn" x="0" y="0" width="640" height="380"/>
<path class="map-ru-1858" d="M70,95 L100,92 130,100 160,112 190,128 215,145 235,162 250,178 262,192 285,205 310,218 340,235 370,252 395,262 420,268 445,266 470,262 487,258 505,245 522,225 538,200 552,175 565,150 578,125 590,100 602,75 612,55 L624,22 628,10 470,18 330,24 200,34 120,52 90,70 Z"/>
<path class="map-hatched" fill="url(#map-hatch)" d="M70,95 L100,92 130,100 160,112 190,128 215,145 235,162 250,178 262,192 285,205 310,218 340,235 370,252 395,262 420,268 445,266 470,262 487,258 505,245 522,225 538,200 552,175 565,150 578,125 590,100 602,75 612,55 L624,22 628,10 470,18 330,24 200,34 120,52 90,70 Z"/>
<path class="map-ru-old" d="M0,0 L640,0 640,10 628,10 470,18 330,24 200,34 120,52 90,70 70,95 30,78 0,70 Z"/>
<path class="map-ru-old" d="M0,70 L30,78 50,88 70,95 56,135 44,175 30,210 0,226 Z"/>
<path class="map-ru-1860" d="M487,258 L505,245 522,225 538,200 552,175 565,150 578,125 590,100 602,75 612,55 L622,90 626,135 620,195 608,255 590,305 565,345 545,380 505,380 500,350 494,320 490,290 Z"/>
<path class="map-hatched" fill="url(#map-hatch)" d="M487,258 L505,245 522,225 538,200 552,175 565,150 578,125 590,100 602,75 612,55 L622,90 626,135 620,195 608,255 590,305 565,345 545,380 505,380 500,350 494,320 490,290 Z"/>
<path class="map-sea" d="M612,55 L624,22 630,0 640,0 640,380 545,380 565,345 590,305 608,255 620,195 626,135 622,90 Z"/>
<polyline class="map-old-line" points="70,95 90,70 120,52 200,34 330,24 470,18 628,10"/>
<polyline class="map-river map-river-minor" points="0,70 30,78 50,88 70,95"/>
<polyline class="map-river map-river-minor" points="30,210 44,175 56,135 70,95"/>
<polyline class="map-river map-river-minor" points="290,380 320,340 350,300 375,275 395,262"/>
<polyline class="map-river map-river-minor" points="505,380 500,350 494,320 490,290 487,258"/>
<polyline class="map-river" points="70,95 100,92 130,100 160,112 190,128 215,145 235,162 250,178 262,192 285,205 310,218 340,235 370,252 395,262 420,268 445,266 470,262 487,258 505,245 522,225 538,200 552,175 565,150 578,125 590,100 602,75 612,55"/>
<ellipse class="map-island" cx="478" cy="266" rx="9" ry="4"/>
<text class="map-country" x="330" y="112">RUSSIA</text>
<text class="map-country" x="190" y="300">CHINA</text>
<text class="map-area" x="395" y="134" text-anchor="middle">north bank: to Russia, 1858</text>
<text class="map-area" x="548" y="296" text-anchor="middle">to Russia,</text>
<text class="map-area" x="548" y="310" text-anchor="middle">1860</text>
<text class="map-old-label" x="250" y="50">frontier of 1689 (Nerchinsk), approx.</text>
<text class="map-river-label" x="284" y="198" transform="rotate(27 284 198)">AMUR · HEILONGJIANG</text>
<text class="map-river-label map-river-label-minor" x="512" y="350" transform="rotate(-82 512 350)">Ussuri</text>
<text class="map-river-label map-river-label-minor" x="330" y="352">Songhua</text>
<text class="map-river-label map-river-label-minor" x="8" y="64">Shilka</text>
<text class="map-river-label map-river-label-minor" x="22" y="170" transform="rotate(-70 22 170)">Argun</text>
<circle class="map-city" cx="244" cy="158" r="3.5"/>
<text class="map-city-label" x="252" y="154">Blagoveshchensk</text>
<circle class="map-city" cx="226" cy="170" r="3.5"/>
<text class="map-city-label" x="218" y="182" text-anchor="end">Heihe</text>
<circle class="map-city map-city-key" cx="258" cy="202" r="4.5"/>
<text class="map-city-label map-city-label-key" x="250" y="218" text-anchor="end">Aihui (Aigun), 1858</text>
<circle class="map-city" cx="503" cy="258" r="3.5"/>
<text class="map-city-label" x="511" y="262">Khabarovsk</text>
<polyline class="map-leader" points="474,268 470,281"/>
<text class="map-city-label map-small" x="476" y="292" text-anchor="end">Bolshoi Ussuriysky /</text>
<text class="map-city-label map-small" x="476" y="304" text-anchor="end">Heixiazi island,</text>
<text class="map-city-label map-small" x="476" y="316" text-anchor="end">divided 2004</text>
<circle class="map-city" cx="548" cy="368" r="3.5"/>
<text class="map-city-label" x="540" y="372" text-anchor="end">Vladivostok</text>
<text class="map-sea-label" x="628" y="300" transform="rotate(-90 628 300)">SEA OF JAPAN</text>
</svg>
<figcaption>The Amur and the Ussuri form much of the eastern border between Russia and China. The Treaty of Aigun (1858) gave Russia the north bank; the Convention of Peking (1860) the land between the Ussuri and the sea. Schematic drawing, not to scale.</figcaption>
</figure>

<div class="story-byline">
<span class="story-avatar" aria-hidden="true">MI</span>
<div>
<p class="story-author">By <a href="/demo#author" id="author">Marta Ilyina</a> <span class="story-date">· <time datetime="2026-03-12">12 March 2026</time> · 5 min read</span></p>
<p class="story-bio">Marta Ilyina writes about frontiers, rivers and the Russian Far East. She and this paper are fictional, invented for the Amur demo.</p>
</div>
</div>

<div class="story-body">
<p>Few borders are as easy to find on a map as the one between Russia and China in the Far East. For much of its length it simply follows a river: the Amur, which Chinese maps call the Heilongjiang, the Black Dragon River. It begins where the Shilka and the Argun meet and runs for well over two thousand kilometres before it turns north-east and reaches the sea opposite Sakhalin. Along the way it divides two states that have spent the better part of three and a half centuries negotiating, arguing and occasionally fighting over where one ends and the other begins.</p>

<h2>A line drawn under pressure</h2>

<p>The first treaty between the two empires, concluded at Nerchinsk in 1689, kept Russia away from the river. The frontier was drawn along the mountains to the north, and the Amur basin remained in the Qing sphere. By the 1850s the balance had shifted. Nikolai Muravyov, the governor-general of Eastern Siberia, was sending armed expeditions and settlers down the river, while the Qing court was fighting a great rebellion at home and a war with Britain and France on its coast.</p>

<p>It was in those circumstances that the two sides met at Aigun, a Qing garrison town on the river’s southern bank, in May 1858. The treaty they signed gave Russia the northern bank of the Amur down to its mouth and placed the land between the Ussuri and the sea under joint possession until its fate could be decided. In the Convention of Peking of 1860, that land passed to Russia too, and in the same year a Russian post was founded on its southern coast that would grow into Vladivostok.</p>

<p>Russian accounts have tended to tell Aigun as a diplomatic success won without a war. Chinese historians list it among the “unequal treaties” imposed on a weakened Qing state in the nineteenth century, and note that the court in Beijing was reluctant to accept it at first. There is truth in both versions, which is part of the reason the treaty still matters.</p>

<h2>From gunfire to boundary markers</h2>

<p>For most of the twentieth century the river was a border agreed in principle and contested in detail. The old treaties left the ownership of many river islands unclear, and channels shift over the decades. In 1969, at the lowest point in relations between Moscow and Beijing, Soviet and Chinese troops fought over a small island in the Ussuri, Damansky to the Russians and Zhenbao to the Chinese, and for a time the clash threatened a wider war.</p>

<p>The thaw of the late 1980s made another approach possible. An agreement in 1991 adopted the usual rule for navigable rivers and drew the border along the main channel, and most islands were assigned accordingly. The hardest cases were left for later, above all the large island at the meeting of the Amur and the Ussuri, just across the water from Khabarovsk, which Russians call Bolshoi Ussuriysky and Chinese call Heixiazi. A supplementary agreement in 2004 divided it roughly in half and gave the smaller Tarabarov island to China. When demarcation was completed in 2008, both governments declared the whole border settled.</p>

<h2>Settled is not the same as forgotten</h2>

<p>On the Chinese bank, Aigun, now known as Aihui and part of the city of Heihe, has a museum devoted to the treaty and its consequences. Each side remembers the river differently; the deaths of thousands of Chinese residents of Blagoveshchensk, driven into the Amur in 1900 during the turmoil of the Boxer War, weigh far more heavily on one bank than on the other. The two cities face each other across less than a kilometre of water, and since 2022 a road bridge has joined them.</p>

<p>For now, memory does little to disturb relations between the two capitals, which rest on trade, energy and political convenience. But historical grievances have a way of outlasting the circumstances that quieted them. A border that follows a river is only as stable as the agreement about the river, and the agreement about what happened on its banks a century and a half ago is still far from complete.</p>
</div>
</article>

<aside class="story-related" id="more" aria-labelledby="more-title">
<h2 id="more-title">More on the topic</h2>
<ul>
<li><a href="/demo#more"><span class="related-kicker">Cities</span> Blagoveshchensk and Heihe: two cities, one river, and a bridge at last</a></li>
<li><a href="/demo#more"><span class="related-kicker">Explainer</span> Thalweg: the quiet rule that decides which island belongs to whom</a></li>
<li><a href="/demo#more"><span class="related-kicker">History</span> Reading the 1860 Convention of Peking, article by article</a></li>
<li><a href="/demo#more"><span class="related-kicker">Analysis</span> How the Ussuri islands were divided, and why it took so long</a></li>
</ul>
</aside>
)html";

constexpr std::string_view kFooter = R"html(<footer class="site-foot">
<div class="site-foot-inner">
<p><strong>The Confluence</strong> is a fictional publication. This page demonstrates Amur, a self-hosted comment engine: the discussion above is rendered on the server and works without JavaScript.</p>
</div>
</footer>
)html";

}  // namespace

std::string_view DemoMastheadHtml() { return kMasthead; }

std::string_view DemoArticleHtml() { return kArticle; }

std::string_view DemoFooterHtml() { return kFooter; }

}  // namespace amur::render

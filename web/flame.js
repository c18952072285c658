/* cprof-flame's SVG viewer: zoom, search, tooltips, ?z= and ?s= links.
 * Embedded at build time (web/embed.c); layout constants come from <script id="cfg">. */
(function(){'use strict';
var svg=document.documentElement,NS='http://www.w3.org/2000/svg';
var C=JSON.parse(document.getElementById('cfg').textContent);
var W=C.width,XP=C.xpad,CW=C.charw,full=W-2*XP;
var frames=[].slice.call(document.querySelectorAll('g.f'));
var info=document.getElementById('info'),matched=document.getElementById('matched');
var unzoom=document.getElementById('unzoom'),search=document.getElementById('search');
var tip=document.getElementById('tip'),tiptext=tip.querySelector('text'),tiprect=tip.querySelector('rect');
var F=frames.map(function(g){return{g:g,o:+g.getAttribute('o'),v:+g.getAttribute('v'),
 d:+g.parentNode.getAttribute('data-d'),info:g.firstChild.textContent,
 r:g.querySelector('rect'),t:g.querySelector('text')};});
F.forEach(function(f){var i=f.info.lastIndexOf(' (');f.name=i<0?f.info:f.info.slice(0,i);});
var byG=new Map();F.forEach(function(f){byG.set(f.g,f);});
var zoomed=null,re=null;
function pct(v,t){return t?(100*v/t).toFixed(2)+'%':'0%';}
function describe(f){return f.info;}
function label(f,w){var n=Math.floor((w-6)/CW);if(n<3)return '';var s=f.name;
 return s.length<=n?s:s.slice(0,n-2)+'..';}
function place(f,x,w){f.r.setAttribute('x',x.toFixed(2));f.r.setAttribute('width',w.toFixed(2));
 var l=label(f,w);if(!f.t&&l){f.t=document.createElementNS(NS,'text');f.g.appendChild(f.t);}
 if(f.t){f.t.setAttribute('x',(x+3).toFixed(2));f.t.textContent=l;}}
function zoom(z){zoomed=z;var zo=z?z.o:0,zv=z?z.v:C.total,zd=z?z.d:0,s=full/zv;
 F.forEach(function(f){var show,x,w;
  if(f.d<zd){show=f.o<=zo&&f.o+f.v>=zo+zv;x=XP;w=full;f.g.classList.toggle('p',show);}
  else{show=f.o>=zo&&f.o+f.v<=zo+zv;x=XP+(f.o-zo)*s;w=f.v*s;f.g.classList.remove('p');if(w<C.minwidth)show=false;}
  f.g.style.display=show?'':'none';if(show)place(f,x,w);});
 unzoom.style.display=z&&z.d>0?'':'none';if(re)mark();}
function mark(){var m=[];F.forEach(function(f){var hit=re&&re.test(f.name);f.g.classList.toggle('m',!!hit);
  if(hit)m.push([f.o,f.o+f.v]);});
 m.sort(function(a,b){return a[0]-b[0]||b[1]-a[1];});var sum=0,end=-1;
 m.forEach(function(r){if(r[0]>=end){sum+=r[1]-r[0];end=r[1];}else if(r[1]>end){sum+=r[1]-end;end=r[1];}});
 matched.textContent=re?'Matched: '+pct(sum,C.total):'';search.textContent=re?'Reset Search':'Search';}
function ask(){var term=prompt('Search for (regular expression):','');if(term===null||term==='')return;
 try{re=new RegExp(term);}catch(e){alert('Bad regular expression: '+e.message);return;}mark();}
function reset(){re=null;mark();}
function frameOf(e){var g=e.target.closest?e.target.closest('g.f'):null;return g?byG.get(g):null;}
svg.addEventListener('mouseover',function(e){var f=frameOf(e);if(!f)return;info.textContent=describe(f);
 tiptext.textContent=describe(f);tip.style.display='';var bb=tiptext.getComputedTextLength();tiprect.setAttribute('width',bb+8);});
svg.addEventListener('mousemove',function(e){if(tip.style.display==='none')return;var pt=svg.createSVGPoint();
 pt.x=e.clientX;pt.y=e.clientY;var p=pt.matrixTransform(svg.getScreenCTM().inverse());
 var w=+tiprect.getAttribute('width'),x=p.x+12;if(x+w>W)x=Math.max(0,p.x-w-12);
 tip.setAttribute('transform','translate('+x.toFixed(1)+','+(p.y+14).toFixed(1)+')');});
svg.addEventListener('mouseout',function(e){if(frameOf(e)){info.textContent=' ';tip.style.display='none';}});
svg.addEventListener('click',function(e){var f=frameOf(e);if(f){zoom(f.d===0?null:f);return;}
 if(e.target===unzoom)zoom(null);else if(e.target===search){if(re)reset();else ask();}});
function params(){var q=location.search.replace(/^\?/,'').split('&'),a={};q.forEach(function(kv){var i=kv.indexOf('=');
 if(i>0)a[kv.slice(0,i)]=decodeURIComponent(kv.slice(i+1).replace(/\+/g,' '));});return a;}
/* ?z=DEPTH,OFFSET zooms, ?s=REGEX searches: links that open a view */
var P=params();if(P.z){var zz=P.z.split(',');F.forEach(function(f){if(f.d===+zz[0]&&f.o===+zz[1]&&f.d>0)zoom(f);});}
if(P.s){try{re=new RegExp(P.s);mark();}catch(e){}}
svg.setAttribute('data-ready','1');
window.addEventListener('keydown',function(e){if((e.ctrlKey||e.metaKey)&&e.key==='f'||e.key==='F3'){e.preventDefault();ask();}
 else if(e.key==='Escape'){if(re)reset();else zoom(null);}});
})();

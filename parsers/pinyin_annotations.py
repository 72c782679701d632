"""The reprint artifact: a pinyin syllable in parentheses after a Han character.

Some reprint sites convert pages to Traditional script and append pinyin to characters,
e.g. `建設(shè)`, `規(guī)范`, `開(kāi)展`. Detection is deliberately narrow: a real
parenthesis (ASCII or full-width) directly after a Han character, holding exactly one
valid pinyin syllable (tone-marked, tone-numbered or bare, lower case) and nothing else.
`(以下简称“领导小组”)`, `(PDF)`, `(2015)`, `(一)` are not touched.
"""
from __future__ import annotations

import re
import unicodedata

__all__ = ["remove_pinyin_annotations", "is_pinyin_syllable", "is_traditional_script", "count_traditional"]

_INITIALS = ("zh", "ch", "sh", "b", "p", "m", "f", "d", "t", "n", "l", "g", "k", "h", "j", "q", "x",
             "r", "z", "c", "s", "y", "w", "")
# All standard Mandarin syllables (ü written as v or ü), ~410.
_SYLLABLES = frozenset("""
a ai an ang ao e ei en eng er o ou
ba bai ban bang bao bei ben beng bi bian biao bie bin bing bo bu
pa pai pan pang pao pei pen peng pi pian piao pie pin ping po pou pu
ma mai man mang mao me mei men meng mi mian miao mie min ming miu mo mou mu
fa fan fang fei fen feng fo fou fu
da dai dan dang dao de dei den deng di dia dian diao die ding diu dong dou du duan dui dun duo
ta tai tan tang tao te tei teng ti tian tiao tie ting tong tou tu tuan tui tun tuo
na nai nan nang nao ne nei nen neng ni nian niang niao nie nin ning niu nong nou nu nuan nun nuo nv nve nüe nü
la lai lan lang lao le lei leng li lia lian liang liao lie lin ling liu lo long lou lu luan lun luo lv lve lüe lü
ga gai gan gang gao ge gei gen geng gong gou gu gua guai guan guang gui gun guo
ka kai kan kang kao ke kei ken keng kong kou ku kua kuai kuan kuang kui kun kuo
ha hai han hang hao he hei hen heng hm hng hong hou hu hua huai huan huang hui hun huo
ji jia jian jiang jiao jie jin jing jiong jiu ju juan jue jun
qi qia qian qiang qiao qie qin qing qiong qiu qu quan que qun
xi xia xian xiang xiao xie xin xing xiong xiu xu xuan xue xun
zha zhai zhan zhang zhao zhe zhei zhen zheng zhi zhong zhou zhu zhua zhuai zhuan zhuang zhui zhun zhuo
cha chai chan chang chao che chen cheng chi chong chou chu chua chuai chuan chuang chui chun chuo
sha shai shan shang shao she shei shen sheng shi shou shu shua shuai shuan shuang shui shun shuo
ra ran rang rao re ren reng ri rong rou ru rua ruan rui run ruo
za zai zan zang zao ze zei zen zeng zi zong zou zu zuan zui zun zuo
ca cai can cang cao ce cen ceng ci cong cou cu cuan cui cun cuo
sa sai san sang sao se sen seng si song sou su suan sui sun suo
ya yan yang yao ye yi yin ying yo yong you yu yuan yue yun
wa wai wan wang wei wen weng wo wu
""".split())

_TONE_STRIP = {ord(k): v for k, v in {
    "ā": "a", "á": "a", "ǎ": "a", "à": "a", "ē": "e", "é": "e", "ě": "e", "è": "e",
    "ī": "i", "í": "i", "ǐ": "i", "ì": "i", "ō": "o", "ó": "o", "ǒ": "o", "ò": "o",
    "ū": "u", "ú": "u", "ǔ": "u", "ù": "u", "ǖ": "ü", "ǘ": "ü", "ǚ": "ü", "ǜ": "ü",
    "ń": "n", "ň": "n", "ǹ": "n", "ḿ": "m", "ê": "e", "ế": "e", "ề": "e",
}.items()}
_PINYIN_LETTERS = "a-zāáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜüńňǹḿêếề"

_HAN = r"\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
# Han char, then ( or （, one run of pinyin letters (optional tone digit), then ) or ）.
_ANNOTATION = re.compile(rf"(?<=[{_HAN}])[(（]([{_PINYIN_LETTERS}]{{1,6}}[1-5]?)[)）]")


def is_pinyin_syllable(token: str) -> bool:
    """True if token is exactly one pinyin syllable (tone marks or a tone digit allowed)."""
    if not token or len(token) > 7:
        return False
    t = unicodedata.normalize("NFC", token)
    if t != t.lower():
        return False
    if t[-1] in "12345":
        t = t[:-1]
    base = t.translate(_TONE_STRIP)
    if not base.isascii() and "ü" not in base:
        return False
    return base in _SYLLABLES or base.replace("ü", "v") in _SYLLABLES


def remove_pinyin_annotations(text: str) -> tuple[str, int]:
    """Remove `字(pīn)` annotations; return (clean text, number removed)."""
    if not text or ("(" not in text and "（" not in text):
        return text, 0
    count = 0

    def repl(m: re.Match[str]) -> str:
        nonlocal count
        if is_pinyin_syllable(m.group(1)):
            count += 1
            return ""
        return m.group(0)

    cleaned = _ANNOTATION.sub(repl, text)
    return cleaned, count


# Common characters that exist only in Traditional script (their Simplified forms differ).
# Characters still used in Simplified text (著, 乾, 於, 藉, 瞭, 夥, 谷...) are left out.
_TRADITIONAL_ONLY = frozenset(
    "們這個來時對說會為國學過發後與還實體關點種經現開長門問間電話當車東見記認讓請誰謝讀語"
    "錢錯難題顧風飛馬魚鳥黨區華單專業兩嚴豐臨麗舉義樂習鄉書買亂爭雲產親億僅從價眾優傳傷"
    "餘債傾兒內寫軍農決況減幾鳳擊劃劉則剛創別劇勸辦務動勵勞勢醫協賣衛廠廳歷壓廁縣參雙變"
    "葉號嚇嗎員響團園圍圖圓聖場壞塊堅壇墳壯聲處備夠頭誇奪獎婦媽寧寶審憲寬尋導壽將爾塵層"
    "屬歲島嶺師帳帶幫廣慶庫應廟廢異張彈強歸錄徹憶憂懷態總戀懇惡慘慣願戰戶撲執擴掃揚擾撫"
    "護報擔擁擇掛揮損換據擺攜數斷無舊曉暫術機殺雜權條楊極構標棧樹樣橋檢樓歡歐殘毀畢氣漢"
    "湯溝沒淚潔灑淺測濟渾濃潤漲漸溫遊灣濕滿濫滅燈災燒熱愛爺牽狀猶獨獄獵貓獻環瑣畫暢療癢"
    "盡監蓋盤礦碼確禮禍離積稱穩窮竊競筆築簡籃類糧緊紅約級紀純紗納紙紛線練組細織終結給絡"
    "絕統絲繼績續維綜綠網羅罰職聯聰肅腦腳臉艦藝節範藥蘇莊虛雖補裝製觀規視覽覺觸計訂討訓"
    "議講許論設訪證評識詞譯試詩誠該詳誤課調談謠負貢財責賢敗貨質販貪貧購貫費貿資賞賠賴贊"
    "贈趕趨躍軌軟轉輪較載輕輔輛輩輝輯輸辭邊達遷運這進遠違連遲適選遞遺鄰釋鐘針鋼鍋錦鍵鎮"
    "鏡閃閉閱闊隊陽陰陣階際陸陳險隨隱雞靜韓頁頂項順須預領頻額顏類驗騎驚髮鬥魯鳴麥黃齊齒"
    "龍壟隸樞歷曆滬龜彌衝氣廈廣鄧鄭歲爐煙燦營環蘭傑儀劍勳勸厭啟喬嗚噴嚴囑壺夢奮嬰孫寢"
    "屆層岡嶼幣幹廬彥徑從復懲懶懸戲擬據擠擱攝攤敵斂斬暈曬棄棟櫃檔權歎殼溼滯漁漿潛澤濤"
    "瀏灘燭犧獲瑪瓊畝盜矯礎禪穀窩竇簽簾籌糾紋紐紹絨綱綿緒緝締編緩縮縱繁繩繪繞繳聞聽肅"
    "膠臟膽艙薦薩藍蘋蟲蠶襪襲覓訊訟訴診詐詢詭誌誕誘誦諮諸諾謀謂謎謙謹譜譽讚貞貯貼貴貸賀賊"
    "賓賜賦賬賺購賽贏趙跡踐蹤軀軒輿轄辯鄉鄒醬釘釣鈔鈴鉛銀銅銳銷鋪錄錶鍊鎖鑄鑰閒閣閥閩闆"
    "闖隻雜雞離雲電霧靈頒頓頗頸頹頻顆願顛顯飯飲飽飾餐館饋饑駐駛駕騙騰驅體髒鬧魂鮮鴨鵝鷹"
    "鹽麗黴鼴齡龐龔設處戶態"
)


_TRADITIONAL_RE = re.compile("[" + "".join(sorted(_TRADITIONAL_ONLY)) + "]")
_HAN_RE = re.compile(r"[\u4e00-\u9fff]")


def count_traditional(text: str) -> tuple[int, int]:
    """(Traditional-only characters, all CJK characters) in text."""
    if not text:
        return 0, 0
    return len(_TRADITIONAL_RE.findall(text)), len(_HAN_RE.findall(text))


def is_traditional_script(text: str) -> bool:
    """True when the text is predominantly Traditional Chinese."""
    trad = len(_TRADITIONAL_RE.findall(text)) if text else 0
    if trad < 5:
        return False  # most pages: no need to count every Han character
    han = len(_HAN_RE.findall(text))
    return han >= 20 and trad / han >= 0.06

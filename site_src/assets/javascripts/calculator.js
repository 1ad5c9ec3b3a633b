/* Deadline calculator for the migration guide. No libraries, no network, no inline handlers.
 *
 * The rules match viewer/timeline.py exactly (a browser test compares them):
 * - day 0 is the request date;
 * - N months end on the same day number N months later, or the last day of a shorter month;
 * - N days end N calendar days after the day they count from;
 * - N working days end on the N-th day after day 0 that is not a Saturday, Sunday or a public
 *   holiday of the default country (the list is generated at build time into #timeline-data);
 * - notice = request + 2 months; transition = notice + 30 days; unfeasibility notice = request +
 *   14 working days; alternative transition = notice + 7 months; retrieval = transition + 30 days;
 *   download link = copy ready (default: request) + 30 days.
 */
(function () {
  "use strict";

  var form = document.getElementById("ev-calculator");
  var dataNode = document.getElementById("timeline-data");
  if (!form || !dataNode) {
    return;
  }
  var data = JSON.parse(dataNode.textContent);
  var sw = data.switching;
  var holidays = new Set(data.holidays);
  var lang = (document.documentElement.lang || "en").slice(0, 2) === "sv" ? "sv" : "en";

  var TEXT = {
    en: {
      notice: "Notice period",
      transition: "Transition period",
      unfeasibility_notice: "Notice if the switch is not feasible",
      alternative_transition: "Longest alternative transition",
      retrieval: "Data retrieval period",
      download_link: "Download link valid",
      from_request: "your request",
      from_notice: "end of the notice period",
      from_transition: "end of the transition",
      from_ready: "the day the copy is ready",
      months: "months",
      days: "days",
      working: "working days",
      range: "The calculator knows public holidays for {first} to {last} only.",
      invalid: "Enter a date as YYYY-MM-DD.",
      done: "Deadlines for a request made on {date}.",
      copied: "The text has been copied.",
      copy_failed: "Select the text and copy it yourself.",
      fill: "Enter a request date above to fill in the dates."
    },
    sv: {
      notice: "Uppsägningstid",
      transition: "Övergångsperiod",
      unfeasibility_notice: "Besked om att bytet inte går",
      alternative_transition: "Längsta alternativa övergångsperiod",
      retrieval: "Period för att hämta data",
      download_link: "Nedladdningslänken gäller",
      from_request: "din begäran",
      from_notice: "uppsägningstidens slut",
      from_transition: "övergångsperiodens slut",
      from_ready: "dagen då kopian är klar",
      months: "månader",
      days: "dagar",
      working: "arbetsdagar",
      range: "Kalkylatorn känner bara till helgdagar för {first} till {last}.",
      invalid: "Ange ett datum som ÅÅÅÅ-MM-DD.",
      done: "Tidsfrister för en begäran gjord {date}.",
      copied: "Texten är kopierad.",
      copy_failed: "Markera texten och kopiera den själv.",
      fill: "Ange ett datum för begäran ovan så fylls datumen i."
    }
  };

  var LETTERS = {
    en: {
      migration:
        "Subject: Request to switch (migration) of my Xiaomi Cloud data\n\n" +
        "Hello,\n\nUnder chapter VI of the EU Data Act (Regulation (EU) 2023/2854) and article 20 " +
        "of the GDPR, I ask you to export all data of my Xiaomi Cloud account so that I can move " +
        "it to my own device and stop using the service. I made this request on {requested}.\n\n" +
        "I expect the notice period to end no later than {notice}, the switch to be completed by " +
        "{transition}, and my data to remain available for retrieval until {retrieval}. If the " +
        "switch is technically not feasible, please tell me by {unfeasibility_notice}, with the " +
        "reasons and an alternative period ending no later than {alternative_transition}.\n\n" +
        "Please send the export in the documented JSON format, with the full list of services.\n\n" +
        "Kind regards,\n",
      backup:
        "Subject: Request for a copy of my Xiaomi Cloud data (backup)\n\n" +
        "Hello,\n\nUnder chapter VI of the EU Data Act (Regulation (EU) 2023/2854) and article 20 " +
        "of the GDPR, I ask you for a complete copy of the data in my Xiaomi Cloud account, to " +
        "keep it with another cloud provider as well. I will keep using Xiaomi Cloud. I made this " +
        "request on {requested}.\n\nPlease provide the copy in the documented JSON format by " +
        "{notice} at the latest. If that is technically not feasible, please tell me by " +
        "{unfeasibility_notice}, with the reasons.\n\nKind regards,\n",
      deletion:
        "Subject: Request to delete my Xiaomi Cloud data\n\n" +
        "Hello,\n\nI ask you to delete all data held for my account in the Xiaomi Cloud service " +
        "(GDPR article 17, and article 25 of the EU Data Act after a switch). I made this request " +
        "on {requested}.\n\nPlease confirm the deletion in writing without undue delay, and within " +
        "one month at the latest (GDPR article 12(3)), and tell me which data, if any, you are " +
        "required to keep, and why.\n\nKind regards,\n"
    },
    sv: {
      migration:
        "Ämne: Begäran om byte (migrering) av mina data i Xiaomi Cloud\n\n" +
        "Hej,\n\nEnligt kapitel VI i EU:s dataförordning (förordning (EU) 2023/2854) och artikel 20 " +
        "i dataskyddsförordningen ber jag er exportera alla data i mitt Xiaomi Cloud-konto så att " +
        "jag kan flytta dem till min egen enhet och sluta använda tjänsten. Jag gjorde begäran " +
        "{requested}.\n\nJag räknar med att uppsägningstiden löper ut senast {notice}, att bytet " +
        "är klart senast {transition} och att mina data går att hämta till och med {retrieval}. " +
        "Om bytet tekniskt inte går att genomföra ber jag er meddela mig senast " +
        "{unfeasibility_notice}, med skälen och en alternativ period som slutar senast " +
        "{alternative_transition}.\n\nSkicka exporten i det dokumenterade JSON-formatet, med " +
        "alla tjänster.\n\nVänliga hälsningar\n",
      backup:
        "Ämne: Begäran om en kopia av mina data i Xiaomi Cloud (säkerhetskopia)\n\n" +
        "Hej,\n\nEnligt kapitel VI i EU:s dataförordning (förordning (EU) 2023/2854) och artikel 20 " +
        "i dataskyddsförordningen ber jag om en fullständig kopia av mina data i Xiaomi Cloud, för " +
        "att även spara dem hos en annan molnleverantör. Jag fortsätter att använda Xiaomi Cloud. " +
        "Jag gjorde begäran {requested}.\n\nSkicka kopian i det dokumenterade JSON-formatet senast " +
        "{notice}. Om det tekniskt inte går ber jag er meddela mig senast {unfeasibility_notice}, " +
        "med skälen.\n\nVänliga hälsningar\n",
      deletion:
        "Ämne: Begäran om radering av mina data i Xiaomi Cloud\n\n" +
        "Hej,\n\nJag ber er radera alla data som finns för mitt konto i tjänsten Xiaomi Cloud " +
        "(artikel 17 i dataskyddsförordningen, och artikel 25 i EU:s dataförordning efter ett " +
        "byte). Jag gjorde begäran {requested}.\n\nBekräfta raderingen skriftligen utan onödigt " +
        "dröjsmål och senast inom en månad (artikel 12.3 i dataskyddsförordningen), och tala om " +
        "vilka data ni eventuellt måste spara, och varför.\n\n" +
        "Vänliga hälsningar\n"
    }
  };

  var t = TEXT[lang];
  var DAY = 86400000;

  function parse(value) {
    var m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value || "");
    if (!m) {
      return null;
    }
    var date = new Date(Date.UTC(+m[1], +m[2] - 1, +m[3]));
    return iso(date) === value ? date : null;
  }

  function iso(date) {
    return date.toISOString().slice(0, 10);
  }

  function addDays(date, days) {
    return new Date(date.getTime() + days * DAY);
  }

  function addMonths(date, months) {
    var index = date.getUTCMonth() + months;
    var year = date.getUTCFullYear() + Math.floor(index / 12);
    var month = ((index % 12) + 12) % 12;
    var last = new Date(Date.UTC(year, month + 1, 0)).getUTCDate();
    return new Date(Date.UTC(year, month, Math.min(date.getUTCDate(), last)));
  }

  function addWorkingDays(date, count) {
    var current = date;
    var left = count;
    while (left > 0) {
      current = addDays(current, 1);
      var weekday = current.getUTCDay();
      if (weekday !== 0 && weekday !== 6 && !holidays.has(iso(current))) {
        left -= 1;
      }
    }
    return current;
  }

  function deadlines(requested, ready) {
    var notice = addMonths(requested, sw.notice_period_max_months);
    var transition = addDays(notice, sw.transition_period_days);
    var start = ready || requested;
    return [
      ["notice", "from_request", sw.notice_period_max_months, "months", notice],
      ["transition", "from_notice", sw.transition_period_days, "days", transition],
      ["unfeasibility_notice", "from_request", sw.unfeasibility_notice_working_days, "working",
        addWorkingDays(requested, sw.unfeasibility_notice_working_days)],
      ["alternative_transition", "from_notice", sw.alternative_transition_max_months, "months",
        addMonths(notice, sw.alternative_transition_max_months)],
      ["retrieval", "from_transition", sw.retrieval_period_days, "days",
        addDays(transition, sw.retrieval_period_days)],
      ["download_link", ready ? "from_ready" : "from_request", sw.download_link_valid_days, "days",
        addDays(start, sw.download_link_valid_days)]
    ];
  }

  function longDate(date) {
    var weekday = new Intl.DateTimeFormat(lang === "sv" ? "sv-SE" : "en-GB", {
      weekday: "long",
      timeZone: "UTC"
    }).format(date);
    return weekday + " " + iso(date);
  }

  function format(template, values) {
    return template.replace(/\{(\w+)\}/g, function (whole, key) {
      return Object.prototype.hasOwnProperty.call(values, key) ? values[key] : whole;
    });
  }

  function cell(row, text) {
    var td = document.createElement("td");
    if (text instanceof Node) {
      td.appendChild(text);
    } else {
      td.textContent = text;
    }
    row.appendChild(td);
  }

  function showTable(rows) {
    var table = document.getElementById("ev-deadlines");
    var body = table.tBodies[0];
    body.textContent = "";
    rows.forEach(function (r) {
      var tr = document.createElement("tr");
      tr.setAttribute("data-id", r[0]);
      cell(tr, t[r[0]] + " (" + r[2] + " " + t[r[3]] + ")");
      cell(tr, t[r[1]]);
      var time = document.createElement("time");
      time.setAttribute("datetime", iso(r[4]));
      time.textContent = longDate(r[4]);
      cell(tr, time);
      body.appendChild(tr);
    });
    table.hidden = false;
  }

  var current = null;

  function showLetter() {
    var kind = document.getElementById("ev-kind").value;
    var box = document.getElementById("ev-letter");
    if (!current) {
      box.value = t.fill;
      return;
    }
    box.value = format(LETTERS[lang][kind] || "", current);
  }

  function message(text) {
    document.getElementById("ev-message").textContent = text;
  }

  function calculate() {
    var requested = parse(document.getElementById("ev-requested").value);
    var readyValue = document.getElementById("ev-ready").value;
    var ready = readyValue ? parse(readyValue) : null;
    if (!requested || (readyValue && !ready)) {
      message(t.invalid);
      return;
    }
    var year = requested.getUTCFullYear();
    if (year < data.first_year || year > data.last_year) {
      document.getElementById("ev-deadlines").hidden = true;
      message(format(t.range, { first: data.first_year, last: data.last_year }));
      return;
    }
    var rows = deadlines(requested, ready);
    current = { requested: iso(requested) };
    rows.forEach(function (r) {
      current[r[0]] = iso(r[4]);
    });
    showTable(rows);
    showLetter();
    message(format(t.done, { date: iso(requested) }));
  }

  function copyLetter() {
    var box = document.getElementById("ev-letter");
    box.select();
    var done = function () { message(t.copied); };
    var failed = function () { message(t.copy_failed); };
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(box.value).then(done, failed);
    } else {
      // file:// pages are not a secure context: fall back to the selection.
      (document.execCommand && document.execCommand("copy") ? done : failed)();
    }
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    calculate();
  });
  document.getElementById("ev-requested").addEventListener("change", calculate);
  document.getElementById("ev-ready").addEventListener("change", calculate);
  document.getElementById("ev-kind").addEventListener("change", showLetter);
  document.getElementById("ev-copy").addEventListener("click", copyLetter);
  document.getElementById("ev-letter-form").addEventListener("submit", function (event) {
    event.preventDefault();
  });

  var requestedInput = document.getElementById("ev-requested");
  if (!requestedInput.value) {
    requestedInput.value = iso(new Date(Date.UTC(
      new Date().getFullYear(), new Date().getMonth(), new Date().getDate())));
  }
  calculate();
})();

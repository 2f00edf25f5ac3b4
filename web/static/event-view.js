/*
 * Renders eventLive snapshots into the page shell (web/pages/live_view.py), shared by the
 * audience page and the big screen. Only text and attributes are set, never HTML.
 *
 * window.SmartHub.startEventView(root, {onRender}) subscribes to eventLive over the page's
 * LiveClient and renders every snapshot that is not older than one already shown.
 */
(function () {
  "use strict";


  var STATE_LABELS = { SCHEDULED: "Starting soon", LIVE: "Live", CLOSED: "Closed: final results" };
  var CONNECTION_LABELS = {
    connecting: "Connecting…",
    live: "Live updates on",
    reconnecting: "Connection lost, reconnecting…",
    failed: "Disconnected. Reload the page to try again.",
    idle: "",
  };
  var THIN_SPACE = "\u202f";

  function field(root, name) {
    return root.querySelector('[data-field="' + name + '"]');
  }

  function setText(element, text) {
    if (element && element.textContent !== text) {
      element.textContent = text;
    }
  }

  function show(element, visible) {
    if (element && element.hidden === visible) {
      element.hidden = !visible;
    }
  }

  function setWidth(element, fraction) {
    if (element) {
      element.style.width = (Math.max(0, Math.min(1, fraction)) * 100).toFixed(2) + "%";
    }
  }

  // Amounts are exact decimal strings ("1500.00"): group digits without going through floats.
  function groupDigits(amount) {
    var parts = String(amount).split(".");
    var whole = parts[0].replace(/\B(?=(\d{3})+(?!\d))/g, THIN_SPACE);
    return parts.length > 1 ? whole + "." + parts[1] : whole;
  }

  function formatMoney(moneyList) {
    return moneyList
      .map(function (money) {
        return groupDigits(money.amount) + " " + money.currency;
      })
      .join(" · ");
  }

  // Exact sums of decimal strings via BigInt minor units, so totals never drift.
  function addAmounts(left, right) {
    var scale = Math.max(fractionDigits(left), fractionDigits(right));
    var sum = toUnits(left, scale) + toUnits(right, scale);
    var negative = sum < 0n;
    var digits = (negative ? -sum : sum).toString().padStart(scale + 1, "0");
    var whole = digits.slice(0, digits.length - scale);
    var text = scale > 0 ? whole + "." + digits.slice(digits.length - scale) : whole;
    return negative ? "-" + text : text;
  }

  function fractionDigits(amount) {
    var dot = amount.indexOf(".");
    return dot < 0 ? 0 : amount.length - dot - 1;
  }

  function toUnits(amount, scale) {
    var negative = amount.charAt(0) === "-";
    var parts = amount.replace("-", "").split(".");
    var units = BigInt(parts[0] + (parts[1] || "").padEnd(scale, "0"));
    return negative ? -units : units;
  }

  function moneyTotals(projects) {
    var totals = {};
    projects.forEach(function (project) {
      (project.support ? project.support.money : []).forEach(function (money) {
        totals[money.currency] = addAmounts(totals[money.currency] || "0", money.amount);
      });
    });
    return Object.keys(totals)
      .sort()
      .map(function (currency) {
        return { amount: totals[currency], currency: currency };
      });
  }

  function amountIn(project, currency) {
    var money = (project.support ? project.support.money : []).filter(function (item) {
      return item.currency === currency;
    });
    return money.length ? Number(money[0].amount) : 0;
  }

  function EventView(root, options) {
    this.root = root;
    this.list = root.querySelector("[data-projects]");
    this.template = root.querySelector("template[data-project-template]");
    this.onRender = (options && options.onRender) || function () {};
    this.snapshot = null;
  }

  EventView.prototype.rowFor = function (projectId) {
    for (var child = this.list.firstElementChild; child; child = child.nextElementSibling) {
      if (child.dataset.projectId === projectId) {
        return child;
      }
    }
    var row = this.template.content.firstElementChild.cloneNode(true);
    row.dataset.projectId = projectId;
    return row;
  };

  EventView.prototype.render = function (snapshot) {
    this.snapshot = snapshot;
    var root = this.root;
    setText(field(root, "title"), snapshot.title);
    setText(field(root, "state"), STATE_LABELS[snapshot.state] || snapshot.state);
    root.dataset.state = snapshot.state;
    show(field(root, "results-hidden"), !snapshot.resultsVisible);
    var current = snapshot.projects.filter(function (project) {
      return project.pitchId === snapshot.currentPitchId;
    })[0];
    show(field(root, "now-pitching"), Boolean(current));
    setText(field(root, "current-title"), current ? current.title : "");
    this.renderProjects(snapshot);
    this.renderTotals(snapshot);
    this.onRender(snapshot);
  };

  EventView.prototype.renderProjects = function (snapshot) {
    var projects = snapshot.projects;
    var maxVotes = Math.max.apply(null, [0].concat(projects.map(function (p) {
      return p.support ? p.support.votes : 0;
    })));
    var totals = moneyTotals(projects);
    // Money bars compare projects in the currency with the most pledged.
    var mainCurrency = totals.length
      ? totals.slice().sort(function (a, b) { return Number(b.amount) - Number(a.amount); })[0].currency
      : null;
    var maxMoney = Math.max.apply(null, [0].concat(projects.map(function (p) {
      return amountIn(p, mainCurrency);
    })));
    var keep = {};
    var self = this;
    projects.forEach(function (project, index) {
      var row = self.rowFor(project.projectId);
      keep[project.projectId] = true;
      self.fillRow(row, project, snapshot, maxVotes, mainCurrency, maxMoney);
      if (self.list.children[index] !== row) {
        self.list.insertBefore(row, self.list.children[index] || null);
      }
    });
    Array.prototype.slice.call(this.list.children).forEach(function (row) {
      if (!keep[row.dataset.projectId]) {
        row.remove();
      }
    });
  };

  EventView.prototype.fillRow = function (row, project, snapshot, maxVotes, currency, maxMoney) {
    var isCurrent = project.pitchId === snapshot.currentPitchId;
    row.classList.toggle("current", isCurrent);
    if (isCurrent) {
      row.setAttribute("aria-current", "true");
    } else {
      row.removeAttribute("aria-current");
    }
    show(field(row, "now"), isCurrent);
    setText(field(row, "project-title"), project.title);
    setText(field(row, "lead"), project.leadName);
    var support = project.support;
    var votes = support ? support.votes : null;
    setText(field(row, "votes"), votes === null ? "—" : String(votes));
    setText(field(row, "votes-unit"), votes === 1 ? "vote" : "votes");
    setWidth(field(row, "vote-bar"), maxVotes > 0 && votes ? votes / maxVotes : 0);
    var money = support ? support.money : [];
    show(field(row, "money-line"), money.length > 0);
    setText(field(row, "money"), formatMoney(money));
    setWidth(field(row, "money-bar"), maxMoney > 0 ? amountIn(project, currency) / maxMoney : 0);
    // Money match pools added to confirmed pledges, shown beside the backers' own.
    var matched = (support && support.matched ? support.matched : []).filter(function (item) {
      return Number(item.amount) > 0;
    });
    show(field(row, "matched"), matched.length > 0);
    setText(field(row, "matched"), matched.length ? "+ " + formatMoney(matched) + " matched" : "");
  };

  EventView.prototype.renderTotals = function (snapshot) {
    var totalVotes = field(this.root, "total-votes");
    if (!totalVotes) {
      return;
    }
    var votes = snapshot.projects.reduce(function (sum, project) {
      return sum + (project.support ? project.support.votes : 0);
    }, 0);
    setText(totalVotes, snapshot.resultsVisible ? String(votes) : "—");
    var money = moneyTotals(snapshot.projects);
    show(field(this.root, "total-money-line"), money.length > 0);
    setText(field(this.root, "total-money"), formatMoney(money));
  };

  function firstErrorMessage(errors) {
    return (errors && errors[0] && errors[0].message) || "Something went wrong.";
  }

  function startEventView(root, options) {
    options = options || {};
    var connection = field(root, "connection");
    var client = new window.SmartHub.LiveClient(
      window.SmartHub.websocketUrl(root.dataset.graphqlPath),
      {
        onStatus: function (state) {
          setText(connection, CONNECTION_LABELS[state] || "");
          root.dataset.connection = state;
        },
      }
    );
    var view = new EventView(root, options);
    var render = window.SmartHub.latestVersion(function (snapshot) {
      view.render(snapshot);
    });
    client.subscribe(window.SmartHub.pageDocuments(root).EventLive, { eventId: root.dataset.eventId }, {
      next: function (result) {
        if (result.data && result.data.eventLive) {
          render(result.data.eventLive);
        } else if (result.errors) {
          setText(connection, "Live updates unavailable: " + firstErrorMessage(result.errors));
        }
      },
      error: function (errors) {
        setText(connection, "Live updates unavailable: " + firstErrorMessage(errors));
      },
    });
    return { client: client, view: view };
  }

  window.SmartHub = window.SmartHub || {};
  window.SmartHub.startEventView = startEventView;
  window.SmartHub.firstErrorMessage = firstErrorMessage;
  window.SmartHub.setText = setText;
  window.SmartHub.field = field;
})();

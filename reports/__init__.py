"""The printed reports (ReportLab PDFs on A4), in Chinese, with the CJK font embedded.

Each report is one module with one public function, ``render_<name>(data,
*, generated_at=None) -> bytes``, whose `data` is the frozen value gathered
read-only by the matching function of `ledger.read` (called inside a
``db.read()`` session). Reports never touch the database.

- 周转金运行情况报告: ``fund.fund_statement`` → ``fund_statement.render_fund_statement``
- 乡镇周转金对账单: ``fund.township_statement`` → ``township_statement.render_township_statement``
- 借款人对账单: ``loans.loan_statement`` → ``loan_statement.render_loan_statement``
- 联系人担保责任单: ``guarantees.liaison_statement``
  → ``liaison_statement.render_liaison_statement``
- 灾害核销审批表: ``disasters.disaster_form`` → ``disaster_form.render_disaster_form``
- 试算平衡表: ``books.trial_balance_of`` → ``trial_balance.render_trial_balance``
- 明细账余额表: ``books.subledger_listing`` → ``subledger.render_subledger``
- 账龄分析表: ``fund.aging`` → ``aging.render_aging``
- 记账凭证: ``journals.voucher_prints`` → ``voucher.render_vouchers``
- 各区县周转金运行情况对照表: ``regions.overview`` → ``region_statement.render_region_statement``
- A society's (from ``ledger.programmes.mutual_aid.reads``): 借款公示表 ``loan_notice`` →
  ``society_notice.render_loan_notice``; 社员对账单 ``member_statement`` →
  ``society_member.render_member_statement``; 互助社月报 ``monthly_report`` →
  ``society_monthly.render_monthly_report``; 收益分配表 ``distribution_table`` →
  ``society_distribution.render_distribution_table``; 村级扶贫互助社运行情况汇总表
  ``county_societies`` → ``society_rollup.render_society_rollup`` (``society_layout``: their
  heading and labels)

`reports.charts` draws the bar chart of outstanding and overdue the fund and
region statements share. `reports.layout` is the page (title, fund, period, generated-at, "第 N 页 /
共 M 页") and the table, fact and signature pieces; `reports.fonts` finds and
registers the font (Debian: ``apt-get install fonts-wqy-zenhei``).
"""

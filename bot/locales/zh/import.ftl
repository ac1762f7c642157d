## 工友 — 驿站导入（gongyou import stations 和工作人员上传文件）。每个键在 en/import.ftl 里都必须有对应的英文。

import-summary = 导入完成：新增 { $added } 个驿站，更新 { $updated } 个，没有变化 { $unchanged } 个，拒绝 { $rejected } 条。
import-summary-dry-run = 试运行，没有保存任何改动：将新增 { $added } 个驿站，更新 { $updated } 个，没有变化 { $unchanged } 个，拒绝 { $rejected } 条。
import-rejected-heading = 被拒绝的行（{ $count }）：
import-warnings-heading = 提醒（{ $count }）：
import-line = 第 { $line } 行：{ $reason }
import-item = 第 { $line } 条：{ $reason }
import-more = …… 还有 { $count } 条
import-file-refused = 文件没有导入：{ $reason }

## 被拒绝的行

import-missing-name = 缺少驿站名称
import-missing-coordinates = 缺少经纬度
import-invalid-coordinates = 经纬度不是有效的数字（{ $detail }）
import-swapped-coordinates = 经度和纬度好像填反了（{ $detail }）
import-outside-globe = 经纬度超出了地球的范围（{ $detail }）
import-outside-china = 这个坐标系只适用于中国境内，坐标却在境外（{ $detail }）
import-not-a-point = 位置不是一个点（{ $detail }）
import-text-too-long = 文字太长（{ $detail } 个字）
import-invalid-value = 这一项的内容看不懂（{ $detail }）
import-duplicate = 与上面第 { $detail } 条是同一个驿站，只保留第一条

## 提醒（这一行仍然导入了）

import-unknown-amenity = 不认识的服务设施“{ $detail }”，已忽略
import-unknown-status = 不认识的状态“{ $detail }”，没有改动状态
import-invalid-date = 看不懂的核实日期“{ $detail }”，已忽略
import-hours-unparsed = 看不懂开放时间“{ $detail }”，只按原文显示
import-ignored-columns = 这些列没有用上：{ $detail }
import-far-from-district = 离同一区县的其他驿站太远（{ $detail }，从它们的中间量起），请核对经纬度；已按原样导入
import-outside-city = 坐标不在{ $detail }的范围内，请核对经纬度；已按原样导入

## 整个文件无法导入

import-file-empty = 文件是空的，没有任何驿站。
import-file-too-large = 文件太大（{ $detail }），最多 20 MB。请分成几个文件导入。
import-file-too-many-rows = 文件里的行太多，最多 { $detail } 行。请分成几个文件导入。
import-file-encoding = 文件的文字编码无法识别。请另存为 UTF-8 编码的 CSV 文件。
import-file-binary = 这不是文本文件。请上传 CSV、JSON 或 GeoJSON 文件。
import-file-spreadsheet = 这是 Excel 表格文件。请在 Excel 里“另存为”CSV（逗号分隔）后再导入。
import-file-bad-json = JSON 格式有错误：{ $detail }
import-file-not-a-list = JSON 文件应该是一个驿站列表，或者 {"{"}"stations": [...]{"}"}。
import-file-not-an-object = JSON 里的第 { $detail } 条不是一个对象（{"{"}...{"}"}）。
import-file-not-feature-collection = GeoJSON 文件应该是一个 FeatureCollection，里面是 Point 要素。
import-file-no-name-column = 找不到驿站名称这一列（可以叫“名称”“站点名称”“驿站名称”或 name）。现有的列：{ $detail }
import-file-no-coordinate-columns = 找不到经纬度的列（可以叫“经度”“纬度”，或 lng、lat）。现有的列：{ $detail }
import-file-unreadable = 无法读取文件：{ $detail }

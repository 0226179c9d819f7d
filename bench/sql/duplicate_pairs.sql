-- The floor of the duplicates page: the pairs recorded for a subtree (apps/members/merging.py,
-- docs/merging.md) whose two people are alive in it and still share a key, with what the page
-- shows of each, in one statement. Its one parameter, path, is the subtree's path and a
-- percent sign.
SELECT a.id, a.name, a.id_number, a.phone, a.birth_date, oa.name,
       b.id, b.name, b.id_number, b.phone, b.birth_date, ob.name
FROM members_duplicatecandidate p
JOIN members_member a ON a.id = p.person_a_id
JOIN organizations_organization oa ON oa.id = a.organization_id
JOIN members_member b ON b.id = p.person_b_id
JOIN organizations_organization ob ON ob.id = b.organization_id
WHERE a.deleted_at IS NULL AND b.deleted_at IS NULL
  AND oa.path LIKE %(path)s AND ob.path LIKE %(path)s
  AND (
    (a.id_number <> '' AND a.id_number = b.id_number)
    OR (a.name = b.name AND ((a.phone <> '' AND a.phone = b.phone) OR a.birth_date = b.birth_date))
  )

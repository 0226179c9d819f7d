-- The floor of the duplicates page: the people of a subtree who share an ID number, or a name
-- and a phone, or a name and a birth date, with another of its living people (what
-- apps/members/merging.py likely_duplicates() finds), with what the page shows of each, in one
-- statement. Its one parameter, path, is the subtree's path and a percent sign.
WITH people AS MATERIALIZED (
    SELECT m.id, m.name, m.name_pinyin, m.id_number, m.phone, m.birth_date, m.organization_id
    FROM members_member m
    JOIN organizations_organization o ON o.id = m.organization_id
    WHERE m.deleted_at IS NULL AND o.path LIKE %(path)s
)
SELECT p.id, p.name, p.id_number, p.phone, p.birth_date, o.name
FROM people p
JOIN organizations_organization o ON o.id = p.organization_id
WHERE (
    p.id_number <> '' AND p.id_number IN (
        SELECT id_number FROM people WHERE id_number <> ''
        GROUP BY id_number HAVING count(*) > 1
    )
) OR (
    p.name <> '' AND p.phone <> '' AND (p.name, p.phone) IN (
        SELECT name, phone FROM people WHERE name <> '' AND phone <> ''
        GROUP BY name, phone HAVING count(*) > 1
    )
) OR (
    p.name <> '' AND p.birth_date IS NOT NULL AND (p.name, p.birth_date) IN (
        SELECT name, birth_date FROM people WHERE name <> '' AND birth_date IS NOT NULL
        GROUP BY name, birth_date HAVING count(*) > 1
    )
)
ORDER BY p.name_pinyin, p.id
